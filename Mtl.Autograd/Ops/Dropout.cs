using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public sealed partial class Var<T>
{
    /// <summary>
    /// Inverted dropout: in training each element is zeroed with probability p and the survivors scaled
    /// by 1/(1 − p), so evaluation (or p = 0) is the identity. The mask is drawn from
    /// <paramref name="random"/> and recorded for backward.
    /// </summary>
    public Var<T> Dropout(double p, SeededRandom random, bool training = true) => DropoutNode<T>.Forward(this, p, random, training);
}

/// <summary>y = x ⊙ m with m ∈ {0, 1/(1−p)}; dx = dy ⊙ m.</summary>
internal sealed class DropoutNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T> _mask = null!;
    private double _p;

    public override string OpName => "dropout";

    public override string Detail => $"p={_p}";

    public static Var<T> Forward(Var<T> x, double p, SeededRandom random, bool training)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(p >= 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"dropout: p must be in [0, 1), got {p}.");
        }

        if (!training || p == 0)
        {
            return x;
        }

        var tape = Tape.ForOp("dropout", x);
        var mask = tape.NewTensor<T>(x.Shape);
        T keep = T.CreateTruncating(1.0 / (1.0 - p));
        var m = mask.Span;
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = random.NextDouble() < p ? T.Zero : keep;
        }

        var y = tape.NewTensor<T>(x.Shape);
        TensorPrimitives.Multiply(x.Value.ReadOnlySpan, mask.ReadOnlySpan, y.Span);
        var node = NodePool<DropoutNode<T>>.Rent();
        node.SetInput(x);
        (node._mask, node._p) = (mask, p);
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is { } gx)
        {
            TensorPrimitives.MultiplyAdd(Dy.ReadOnlySpan, _mask.ReadOnlySpan, gx.ReadOnlySpan, gx.Span);
        }
    }

    private protected override void Release()
    {
        ClearInput();
        _mask = null!;
        NodePool<DropoutNode<T>>.Return(this);
    }
}
