using System.Numerics;

namespace Mtl.Tensors;

public static partial class Tensor
{
    /// <summary>
    /// Matrix product op(A)·op(B) of 2-D tensors, or batched over a leading axis when either is 3-D
    /// (a 2-D operand is shared by every batch entry).
    /// </summary>
    /// <exception cref="ArgumentException">The inner dimensions or batch sizes disagree.</exception>
    public static Tensor<T> MatMul<T>(Tensor<T> a, Tensor<T> b, MatrixTranspose transA = MatrixTranspose.None, MatrixTranspose transB = MatrixTranspose.None)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = MatMulShape(a, b, transA, transB);
        var c = new Tensor<T>(shape);
        MatMulCore(a, b, c, transA, transB, accumulate: false);
        return c;
    }

    /// <summary>A·Bᵀ without materialising the transpose.</summary>
    public static Tensor<T> MatMulTransposeB<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => MatMul(a, b, MatrixTranspose.None, MatrixTranspose.Transpose);

    /// <summary>Aᵀ·B without materialising the transpose.</summary>
    public static Tensor<T> MatMulTransposeA<T>(Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T> => MatMul(a, b, MatrixTranspose.Transpose, MatrixTranspose.None);

    /// <summary>
    /// Writes op(A)·op(B) into <paramref name="destination"/>, or adds it there when
    /// <paramref name="accumulate"/> (C += A·B, as backward passes need).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes disagree or the destination has the wrong shape.</exception>
    public static void MatMul<T>(Tensor<T> a, Tensor<T> b, Tensor<T> destination, MatrixTranspose transA = MatrixTranspose.None, MatrixTranspose transB = MatrixTranspose.None, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(destination);
        var shape = MatMulShape(a, b, transA, transB);
        destination.RequireShape(shape, "MatMul", "the destination");
        if (ReferenceEquals(destination.Buffer, a.Buffer) || ReferenceEquals(destination.Buffer, b.Buffer))
        {
            throw new ArgumentException("MatMul: the destination must not share storage with an operand.", nameof(destination));
        }

        MatMulCore(a, b, destination, transA, transB, accumulate);
    }

    /// <summary>The transpose of a 2-D tensor, as a new contiguous tensor.</summary>
    /// <exception cref="ArgumentException">The tensor is not 2-D.</exception>
    public static Tensor<T> Transpose<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"Transpose: expected a 2-D tensor, got shape {x.Shape}.", nameof(x));
        }

        var y = new Tensor<T>(x.Dim(1), x.Dim(0));
        TransposeInto(x.ReadOnlySpan, y.Span, x.Dim(0), x.Dim(1));
        return y;
    }

    /// <summary>dst[j, i] = src[i, j] for a rows×cols source, in cache-sized tiles.</summary>
    internal static void TransposeInto<T>(ReadOnlySpan<T> src, Span<T> dst, int rows, int cols)
    {
        const int tile = 32;
        for (int i0 = 0; i0 < rows; i0 += tile)
        {
            int i1 = Math.Min(i0 + tile, rows);
            for (int j0 = 0; j0 < cols; j0 += tile)
            {
                int j1 = Math.Min(j0 + tile, cols);
                for (int i = i0; i < i1; i++)
                {
                    for (int j = j0; j < j1; j++)
                    {
                        dst[(j * rows) + i] = src[(i * cols) + j];
                    }
                }
            }
        }
    }

    /// <summary>The shape of op(A)·op(B), validating the operands as <see cref="MatMul{T}(Tensor{T}, Tensor{T}, MatrixTranspose, MatrixTranspose)"/> does.</summary>
    public static Shape MatMulResultShape<T>(Tensor<T> a, Tensor<T> b, MatrixTranspose transA = MatrixTranspose.None, MatrixTranspose transB = MatrixTranspose.None)
        where T : unmanaged, IFloatingPointIeee754<T> => MatMulShape(a, b, transA, transB);

    private static Shape MatMulShape<T>(Tensor<T> a, Tensor<T> b, MatrixTranspose transA, MatrixTranspose transB)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank is < 2 or > 3 || b.Rank is < 2 or > 3)
        {
            throw new ArgumentException($"MatMul: operands must be 2-D or 3-D (batched), got {a.Shape} and {b.Shape}.");
        }

        int am = a.Dim(-2), ak = a.Dim(-1), bk = b.Dim(-2), bn = b.Dim(-1);
        int m = transA == MatrixTranspose.Transpose ? ak : am;
        int ka = transA == MatrixTranspose.Transpose ? am : ak;
        int kb = transB == MatrixTranspose.Transpose ? bn : bk;
        int n = transB == MatrixTranspose.Transpose ? bk : bn;
        if (ka != kb)
        {
            throw new ArgumentException($"MatMul: inner dimensions differ: {Describe(a.Shape, transA)} · {Describe(b.Shape, transB)} ({ka} vs {kb}).");
        }

        if (a.Rank == 2 && b.Rank == 2)
        {
            return new Shape(m, n);
        }

        int batchA = a.Rank == 3 ? a.Dim(0) : -1, batchB = b.Rank == 3 ? b.Dim(0) : -1;
        if (batchA >= 0 && batchB >= 0 && batchA != batchB)
        {
            throw new ArgumentException($"MatMul: batch sizes differ: {a.Shape} and {b.Shape}.");
        }

        return new Shape(Math.Max(batchA, batchB), m, n);
    }

    private static string Describe(Shape s, MatrixTranspose t) => t == MatrixTranspose.Transpose ? $"{s}ᵀ" : s.ToString();

    private static void MatMulCore<T>(Tensor<T> a, Tensor<T> b, Tensor<T> c, MatrixTranspose transA, MatrixTranspose transB, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = c.Dim(-2), n = c.Dim(-1);
        int k = transA == MatrixTranspose.Transpose ? a.Dim(-2) : a.Dim(-1);
        if (c.Rank == 2)
        {
            Gemm.Multiply(transA, transB, m, n, k, a.ReadOnlySpan, b.ReadOnlySpan, c.Span, accumulate);
            return;
        }

        int batch = c.Dim(0);
        int aStride = a.Rank == 3 ? a.Dim(1) * a.Dim(2) : 0;
        int bStride = b.Rank == 3 ? b.Dim(1) * b.Dim(2) : 0;
        int aSize = a.Dim(-2) * a.Dim(-1), bSize = b.Dim(-2) * b.Dim(-1);
        for (int i = 0; i < batch; i++)
        {
            Gemm.Multiply(
                transA,
                transB,
                m,
                n,
                k,
                a.ReadOnlySpan.Slice(i * aStride, aSize),
                b.ReadOnlySpan.Slice(i * bStride, bSize),
                c.Span.Slice(i * m * n, m * n),
                accumulate);
        }
    }
}
