using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public static partial class Ops
{
    /// <summary>Where <paramref name="mask"/> is non-zero take a, else b (all three broadcast together).
    /// The mask is a constant: da = Σ_broadcast mask⊙dy, db = Σ_broadcast (1 − mask)⊙dy.</summary>
    public static Var<T> Where<T>(Tensor<T> mask, Var<T> a, Var<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => WhereNode<T>.Forward(mask, a, b);
}

/// <summary>y = mask ? a : b.</summary>
internal sealed class WhereNode<T> : BinaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T> _mask = null!;

    public override string OpName => "where";

    public static Var<T> Forward(Tensor<T> mask, Var<T> a, Var<T> b)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var tape = Tape.ForOp("where", a, b);
        var shape = Tensor.WhereShape(mask.Shape, a.Shape, b.Shape);
        var y = tape.NewTensor<T>(shape);
        var m = tape.NewTensor<T>(shape); // the mask as 0/1 in the output's shape, for the backward rule
        Tensor.WhereInto(mask, a.Value, b.Value, y, m, a.Shape == shape ? null : tape.NewTensor<T>(shape));
        var node = NodePool<WhereNode<T>>.Rent();
        node.SetInputs(a, b);
        node._mask = m;
        return tape.Record(node, y, a.RequiresGrad || b.RequiresGrad);
    }

    internal override void Backward()
    {
        var tape = Tape.Current;
        if (A.GradSink() is { } ga)
        {
            var t = tape.NewTensor<T>(Dy.Shape);
            Tensor.Multiply(Dy, _mask, t);
            Tensor.SumTo(t, ga, accumulate: true);
        }

        if (B.GradSink() is { } gb)
        {
            var t = tape.NewTensor<T>(Dy.Shape);
            Tensor.Multiply(Dy, _mask, t);
            Tensor.Subtract(Dy, t, t);
            Tensor.SumTo(t, gb, accumulate: true);
        }
    }

    private protected override void Release()
    {
        ClearInputs();
        _mask = null!;
        NodePool<WhereNode<T>>.Return(this);
    }
}
