using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// General matrix multiply on row-major contiguous matrices: C = op(A)·op(B) or C += op(A)·op(B),
/// where op(A) is m×k and op(B) is k×n. A is stored m×k (or k×m when transposed), B k×n (or n×k).
/// </summary>
/// <remarks>
/// Packed, cache-blocked and register-tiled (see <see cref="GemmBlocked"/>; small products skip most
/// packing, see <see cref="GemmDirect"/>; a C of few columns is computed as dot products, see
/// <see cref="GemmNarrow{T}"/>), with an AVX-512, an
/// AVX2/FMA and a scalar micro-kernel, and split across <see cref="MtlThreads.Count"/> threads for
/// large products. Results are bitwise identical for every thread count.
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

        // With A as stored (m×k) and B as n rows of k, every element is a dot product of two contiguous
        // rows; for a few columns (a task head) that beats a register tile, which would compute a full
        // tile width of columns to keep n. B's single column is such a row whether or not it is
        // transposed. Chosen by shape and kernel kind alone, so the result does not depend on the thread
        // count.
        bool rowsOfB = tb || n == 1;
        if (!ta && rowsOfB && GemmNarrow<T>.Applies(kind, n))
        {
            fixed (T* pa = a, pb = b, pc = c)
            {
                GemmNarrow<T>.Run(kind, m, n, k, pa, pb, pc, accumulate, MtlThreads.Count);
            }

            return;
        }

        if (n == 1 && !ta)
        {
            // The scalar kernel's matrix-vector product: one dot product per row of A.
            MatrixVector(m, k, a, b[..k], c, accumulate);
            return;
        }

        fixed (T* pa = a, pb = b, pc = c)
        {
            // The path depends on the shape alone: small products, and larger ones whose operands fit in
            // L2, are read in place (GemmDirect), the rest packed (GemmBlocked), and both give the same
            // bits anyway. Threads only split C between them, so their number changes no bit.
            bool direct = GemmDirect.Takes<T>(tb, m, n, k);
            int threads = (long)m * n * k > GemmDirect.MaxWorkOneThread ? MtlThreads.Count : 1;
            if (threads > 1 && GemmParallel<T>.TryRun(kind, direct, ta, tb, m, n, k, pa, pb, pc, accumulate, threads))
            {
                return;
            }

            if (direct)
            {
                GemmDirect.Run(kind, ta, tb, m, n, k, pa, pb, pc, accumulate, 0, m, 0, n);
            }
            else
            {
                GemmBlocked.Run(kind, ta, tb, m, n, k, pa, pb, pc, accumulate, 0, m, 0, n);
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
