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
internal sealed class LinearNode<T>(Var<T> x, Var<T> w, Var<T>? b) : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "linear";

    protected override IEnumerable<Var<T>> TypedInputs => b is null ? [x, w] : [x, w, b];

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
        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, outF, inF, x.Data.ReadOnlySpan, w.Data.ReadOnlySpan, y.Span, accumulate: false);
        if (b is not null)
        {
            BiasKernels<T>.AddToRows(y, rows, outF, b.Data);
        }

        bool grad = x.RequiresGrad || w.RequiresGrad || (b?.RequiresGrad ?? false);
        return tape.Record(new LinearNode<T>(x, w, b), y, grad);
    }

    internal override void Backward()
    {
        int rows = x.Shape[0], inF = x.Shape[1], outF = w.Shape[0];
        var g = Dy.ReadOnlySpan;
        if (x.GradSinkForOverwrite(out bool fresh) is { } gx)
        {
            Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, inF, outF, g, w.Data.ReadOnlySpan, gx.Span, accumulate: !fresh);
        }

        if (w.GradSinkForOverwrite(out fresh) is { } gw)
        {
            Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, outF, inF, rows, g, x.Data.ReadOnlySpan, gw.Span, accumulate: !fresh);
        }

        if (b?.GradSinkForOverwrite(out fresh) is { } gb)
        {
            BiasKernels<T>.ColumnSums(Dy, rows, outF, gb, overwrite: fresh);
        }
    }
}
