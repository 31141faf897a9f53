using System.Numerics;

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
internal sealed class ElementwiseNode<T, TRule>(Var<T> x, TRule rule) : UnaryNode<T>(x)
    where T : unmanaged, IFloatingPointIeee754<T>
    where TRule : struct, IElementwiseRule<T>
{
    public override string OpName => rule.Name;

    public static Var<T> Forward(Var<T> x, TRule rule)
    {
        var tape = Tape.ForOp(rule.Name, x);
        var y = tape.NewTensor<T>(x.Shape);
        rule.Forward(x.Data.ReadOnlySpan, y.Span);
        return tape.Record(new ElementwiseNode<T, TRule>(x, rule), y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSinkForOverwrite(out bool fresh) is { } gx)
        {
            rule.Backward(X.Data.ReadOnlySpan, Y.Data.ReadOnlySpan, Dy.ReadOnlySpan, gx.Span, accumulate: !fresh);
        }
    }
}

/// <summary>The one-element form of a rule's backward: gx + g when accumulating, else g.</summary>
internal static class ElementwiseGrad
{
    public static T Accumulate<T>(bool accumulate, T current, T value)
        where T : IFloatingPointIeee754<T> => accumulate ? current + value : value;
}
