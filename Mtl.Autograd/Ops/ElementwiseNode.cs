using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// The forward and backward of one element-wise function y = f(x), side by side: Forward writes f(x),
/// Backward adds f'(x)·dy into gx, or with <c>accumulate: false</c> writes it there (gx then holds
/// nothing yet, which saves clearing it and reading it back); it may use x or the saved output y,
/// whichever is cheaper.
/// </summary>
internal interface IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    string Name { get; }

    void Forward(ReadOnlySpan<T> x, Span<T> y);

    void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate);
}

/// <summary>The tape node of an element-wise function described by a rule struct.</summary>
internal sealed class ElementwiseNode<T, TRule> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TRule : struct, IElementwiseRule<T>
{
    private TRule _rule;

    public override string OpName => _rule.Name;

    public static Var<T> Forward(Var<T> x, TRule rule)
    {
        var tape = Tape.ForOp(rule.Name, x);
        var y = tape.NewTensor<T>(x.Shape);
        MtlParallel.For(y.Length, new ForwardRange(x.Value, y, rule), cost: y.Length);
        var node = NodePool<ElementwiseNode<T, TRule>>.Rent();
        node.SetInput(x);
        node._rule = rule;
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSinkForOverwrite(out bool fresh) is { } gx)
        {
            MtlParallel.For(gx.Length, new BackwardRange(X.Value, Y.Value, Dy, gx, _rule, !fresh), cost: gx.Length);
        }
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<ElementwiseNode<T, TRule>>.Return(this);
    }

    /// <summary>y[s..e] = f(x[s..e]); large tensors are split across threads (each element is independent).</summary>
    private readonly struct ForwardRange(Tensor<T> x, Tensor<T> y, TRule rule) : IRangeWork
    {
        public void Run(int start, int end) => rule.Forward(x.ReadOnlySpan[start..end], y.Span[start..end]);
    }

    /// <summary>gx[s..e] (+)= f'(x[s..e])·dy[s..e].</summary>
    private readonly struct BackwardRange(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T> gx, TRule rule, bool accumulate) : IRangeWork
    {
        public void Run(int start, int end) =>
            rule.Backward(x.ReadOnlySpan[start..end], y.ReadOnlySpan[start..end], dy.ReadOnlySpan[start..end], gx.Span[start..end], accumulate);
    }
}
