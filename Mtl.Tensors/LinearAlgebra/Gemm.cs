using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// General matrix multiply on row-major contiguous matrices: C = op(A)·op(B) or C += op(A)·op(B),
/// where op(A) is m×k and op(B) is k×n. A is stored m×k (or k×m when transposed), B k×n (or n×k).
/// </summary>
public static class Gemm
{
    /// <summary>Computes C (=|+=) op(A)·op(B).</summary>
    /// <exception cref="ArgumentException">A buffer is too small for its dimensions.</exception>
    public static void Multiply<T>(
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
        if (!accumulate)
        {
            c[..(m * n)].Clear();
        }

        bool ta = transA == MatrixTranspose.Transpose, tb = transB == MatrixTranspose.Transpose;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = ta ? a[(p * m) + i] : a[(i * k) + p];
                    T bv = tb ? b[(j * k) + p] : b[(p * n) + j];
                    sum += av * bv;
                }

                c[(i * n) + j] += sum;
            }
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
