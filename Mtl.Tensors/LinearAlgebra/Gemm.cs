using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// General matrix multiply on row-major contiguous matrices: C = op(A)·op(B) or C += op(A)·op(B),
/// where op(A) is m×k and op(B) is k×n. A is stored m×k (or k×m when transposed), B k×n (or n×k).
/// </summary>
/// <remarks>
/// Packed, cache-blocked and register-tiled (see <see cref="GemmBlocked"/>; small products skip most
/// packing, see <see cref="GemmDirect"/>; a C of few columns is computed as dot products, see
/// <see cref="GemmNarrow{T}"/>), with an AVX-512, an AVX2/FMA, a 128-bit (NEON/SSE) and a scalar
/// micro-kernel, and split across <see cref="MtlThreads.Count"/> threads for large products. The path
/// and split are chosen by <see cref="GemmPlan"/> from the shape, kernel kind and thread count alone.
/// Results are bitwise identical for every thread count.
/// </remarks>
public static class Gemm
{
    /// <summary>Computes C (=|+=) op(A)·op(B).</summary>
    /// <exception cref="ArgumentException">A buffer is too small for its dimensions.</exception>
    public static unsafe void Multiply<T>(
        MatrixTranspose transA,
        MatrixTranspose transB,
        int m,
        int n,
        int k,
        ReadOnlySpan<T> a,
        ReadOnlySpan<T> b,
        Span<T> c,
        bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Validate(m, n, k, a.Length, b.Length, c.Length);
        if (m == 0 || n == 0)
        {
            return;
        }

        if (k == 0)
        {
            // op(A)·op(B) is the zero matrix.
            if (!accumulate)
            {
                c[..(m * n)].Clear();
            }

            return;
        }

        bool ta = transA == MatrixTranspose.Transpose, tb = transB == MatrixTranspose.Transpose;
        var kind = GemmKernels.Active;
        var plan = GemmPlan.For<T>(ta, tb, m, n, k, kind, MtlThreads.Count);
        if (plan.Path == GemmPath.MatrixVector)
        {
            MatrixVector(m, k, a, b[..k], c, accumulate);
            return;
        }

        fixed (T* pa = a, pb = b, pc = c)
        {
            if (plan.Path == GemmPath.Narrow)
            {
                GemmNarrow<T>.Run(kind, m, n, k, pa, pb, pc, accumulate, plan.Parts);
            }
            else
            {
                GemmParallel<T>.Run(kind, plan, ta, tb, m, n, k, pa, pb, pc, accumulate);
            }
        }
    }

    /// <summary>c[i] (+)= Σₚ a[i, p]·b[p] for a row-major m×k matrix A.</summary>
    private static void MatrixVector<T>(int m, int k, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            T dot = System.Numerics.Tensors.TensorPrimitives.Dot(a.Slice(i * k, k), b);
            c[i] = accumulate ? c[i] + dot : dot;
        }
    }

    internal static void Validate(int m, int n, int k, int aLength, int bLength, int cLength)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentException($"Gemm: dimensions m={m}, n={n}, k={k} must not be negative.");
        }

        if ((long)m * k > aLength || (long)k * n > bLength || (long)m * n > cLength)
        {
            throw new ArgumentException($"Gemm: buffers of {aLength}, {bLength} and {cLength} elements are too small for m={m}, n={n}, k={k} (A needs {(long)m * k}, B {(long)k * n}, C {(long)m * n}).");
        }
    }
}
