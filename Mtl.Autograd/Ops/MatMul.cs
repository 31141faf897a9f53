using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public sealed partial class Var<T>
{
    /// <summary>Matrix product op(this)·op(b): 2-D, or batched over a leading axis (3-D; a 2-D operand is
    /// shared across the batch). Transposes are never materialised.</summary>
    public Var<T> MatMul(Var<T> b, MatrixTranspose transA = MatrixTranspose.None, MatrixTranspose transB = MatrixTranspose.None) =>
        MatMulNode<T>.Forward(this, b, transA, transB);

    /// <summary>this·bᵀ.</summary>
    public Var<T> MatMulTransposeB(Var<T> b) => MatMulNode<T>.Forward(this, b, MatrixTranspose.None, MatrixTranspose.Transpose);

    /// <summary>thisᵀ·b.</summary>
    public Var<T> MatMulTransposeA(Var<T> b) => MatMulNode<T>.Forward(this, b, MatrixTranspose.Transpose, MatrixTranspose.None);
}

/// <summary>
/// Y = op(A)·op(B). With G = dY: for Y = A·B, dA = G·Bᵀ and dB = Aᵀ·G; for Y = A·Bᵀ, dA = G·B and
/// dB = Gᵀ·A; for Y = Aᵀ·B, dA = B·Gᵀ and dB = A·G; for Y = Aᵀ·Bᵀ, dA = Bᵀ·Gᵀ and dB = Gᵀ·Aᵀ. Every
/// product accumulates straight into the gradient buffer (C += ...), summing over the batch for a
/// shared 2-D operand.
/// </summary>
internal sealed class MatMulNode<T> : BinaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const MatrixTranspose N = MatrixTranspose.None;
    private const MatrixTranspose Tr = MatrixTranspose.Transpose;

    private MatrixTranspose _transA;
    private MatrixTranspose _transB;

    public override string OpName => "matmul";

    public override string Detail => (_transA, _transB) switch
    {
        (N, N) => "A·B",
        (N, _) => "A·Bᵀ",
        (_, N) => "Aᵀ·B",
        _ => "Aᵀ·Bᵀ",
    };

    public static Var<T> Forward(Var<T> a, Var<T> b, MatrixTranspose transA, MatrixTranspose transB)
    {
        var tape = Tape.ForOp("matmul", a, b);
        var probe = Tensor.MatMulResultShape(a.Value, b.Value, transA, transB);
        var y = tape.NewTensor<T>(probe);
        Tensor.MatMul(a.Value, b.Value, y, transA, transB);
        var node = NodePool<MatMulNode<T>>.Rent();
        node.SetInputs(a, b);
        (node._transA, node._transB) = (transA, transB);
        return tape.Record(node, y, a.RequiresGrad || b.RequiresGrad);
    }

    internal override void Backward()
    {
        var (transA, transB) = (_transA, _transB);
        var ga = A.GradSink();
        var gb = B.GradSink();
        var g = Dy;
        int batch = g.Rank == 3 ? g.Dim(0) : 1;
        int m = g.Dim(-2), n = g.Dim(-1);
        int k = transA == N ? A.Shape[-1] : A.Shape[-2];
        var ad = A.Value.ReadOnlySpan;
        var bd = B.Value.ReadOnlySpan;
        int aSize = A.Shape[-2] * A.Shape[-1], bSize = B.Shape[-2] * B.Shape[-1];
        int aStride = A.Shape.Rank == 3 ? aSize : 0, bStride = B.Shape.Rank == 3 ? bSize : 0;
        for (int i = 0; i < batch; i++)
        {
            var gi = g.ReadOnlySpan.Slice(i * m * n, m * n);
            var ai = ad.Slice(i * aStride, aSize);
            var bi = bd.Slice(i * bStride, bSize);
            if (ga is not null)
            {
                var dai = ga.Span.Slice(i * aStride, aSize);
                switch (transA, transB)
                {
                    case (N, N): Gemm.Multiply(N, Tr, m, k, n, gi, bi, dai, accumulate: true); break;
                    case (N, Tr): Gemm.Multiply(N, N, m, k, n, gi, bi, dai, accumulate: true); break;
                    case (Tr, N): Gemm.Multiply(N, Tr, k, m, n, bi, gi, dai, accumulate: true); break;
                    default: Gemm.Multiply(Tr, Tr, k, m, n, bi, gi, dai, accumulate: true); break;
                }
            }

            if (gb is not null)
            {
                var dbi = gb.Span.Slice(i * bStride, bSize);
                switch (transA, transB)
                {
                    case (N, N): Gemm.Multiply(Tr, N, k, n, m, ai, gi, dbi, accumulate: true); break;
                    case (N, Tr): Gemm.Multiply(Tr, N, n, k, m, gi, ai, dbi, accumulate: true); break;
                    case (Tr, N): Gemm.Multiply(N, N, k, n, m, ai, gi, dbi, accumulate: true); break;
                    default: Gemm.Multiply(Tr, Tr, n, k, m, gi, ai, dbi, accumulate: true); break;
                }
            }
        }
    }

    private protected override void Release()
    {
        ClearInputs();
        NodePool<MatMulNode<T>>.Return(this);
    }
}
