using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The fused dense layer y = x·Wᵀ + b (PyTorch's F.linear; W is [out, in]). One op on the tape
    /// instead of a matmul and a broadcast add (half the per-op overhead and no temporary), and in backward
    /// the input's gradient is written by the GEMM directly when nothing else has added to it yet.
    /// </summary>
    public static Var<T> Linear<T>(Var<T> x, Var<T> weight, Var<T>? bias = null)
        where T : unmanaged, IFloatingPointIeee754<T> => LinearNode<T>.Forward(x, weight, bias);
}

/// <summary>y = x·Wᵀ + b; dx = dy·W, dW = dyᵀ·x, db = Σ_rows dy.</summary>
internal sealed class LinearNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Var<T> _x = null!;
    private Var<T> _w = null!;
    private Var<T>? _b;

    public override string OpName => "linear";

    protected override IEnumerable<Var<T>> TypedInputs => _b is null ? [_x, _w] : [_x, _w, _b];

    public static Var<T> Forward(Var<T> x, Var<T> w, Var<T>? b)
    {
        var tape = Tape.ForOp("linear", x, w);
        if (b is not null)
        {
            b.CheckUsable("linear", tape);
        }

        if (x.Shape.Rank != 2 || w.Shape.Rank != 2 || x.Shape[1] != w.Shape[1])
        {
            throw new ArgumentException($"linear: input {x.Shape} and weight {w.Shape} do not fit (expected input [batch, in] and weight [out, in]).");
        }

        int rows = x.Shape[0], inF = x.Shape[1], outF = w.Shape[0];
        if (b is not null && (b.Shape.Rank != 1 || b.Shape[0] != outF))
        {
            throw new ArgumentException($"linear: bias {b.Shape} does not match weight {w.Shape} (expected [{outF}]).");
        }

        // The product overwrites y, then the bias is added row by row: overwriting is faster than
        // accumulating onto a pre-filled bias (C is not read), which is what makes the fusion pay.
        var y = tape.NewTensor<T>(new Shape(rows, outF));
        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, outF, inF, x.Value.ReadOnlySpan, w.Value.ReadOnlySpan, y.Span, accumulate: false);
        if (b is not null)
        {
            BiasKernels<T>.AddToRows(y, rows, outF, b.Value);
        }

        bool grad = x.RequiresGrad || w.RequiresGrad || (b?.RequiresGrad ?? false);
        var node = NodePool<LinearNode<T>>.Rent();
        (node._x, node._w, node._b) = (x, w, b);
        return tape.Record(node, y, grad);
    }

    internal override void Backward()
    {
        int rows = _x.Shape[0], inF = _x.Shape[1], outF = _w.Shape[0];
        var g = Dy.ReadOnlySpan;
        if (_x.GradSinkForOverwrite(out bool fresh) is { } gx)
        {
            Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, inF, outF, g, _w.Value.ReadOnlySpan, gx.Span, accumulate: !fresh);
        }

        if (_w.GradSinkForOverwrite(out fresh) is { } gw)
        {
            Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, outF, inF, rows, g, _x.Value.ReadOnlySpan, gw.Span, accumulate: !fresh);
        }

        if (_b?.GradSinkForOverwrite(out fresh) is { } gb)
        {
            BiasKernels<T>.ColumnSums(Dy, rows, outF, gb, overwrite: fresh);
        }
    }

    private protected override void Release()
    {
        (_x, _w, _b) = (null!, null!, null);
        NodePool<LinearNode<T>>.Return(this);
    }
}
