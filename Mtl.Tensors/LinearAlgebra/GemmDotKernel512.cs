using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Tensors;

/// <summary>
/// The Vector512 dot-product kernel of the narrow A·Bᵀ path (<see cref="GemmNarrow{T}"/>): a block of
/// 4 rows of A × 4 (or 2) rows of B, both read in place along k.
/// </summary>
internal static unsafe class GemmDotKernel512
{
    /// <summary>Rows of A per block.</summary>
    public const int Mr = 4;

    /// <summary>Rows of B (columns of C) per full block.</summary>
    public const int Nr = 4;

    /// <summary>
    /// C[r, j] (=|+=) Σ_p a[r·k + p]·b[j·k + p] for r &lt; rows ≤ 4, j &lt; cols ≤ 4 (or 2). Each zmm
    /// accumulator holds W = Vector512&lt;T&gt;.Count partial sums of one element; a k step loads 4 + 4
    /// vectors for 16 FMAs (4 + 2 for 8). An 8×2 block, which wastes no column at n = 10, loads 10 vectors
    /// for 16 FMAs and was slower: 256×8×512 at 17.7 µs against 13.0 µs, 256×10×512 at 21.8 against 19.5
    /// (one thread, medians of 5). The last k mod W elements come from one masked load per row, zero in
    /// the lanes past k in both operands (so 0·0, never 0·∞ = NaN, pads the sums). The W lanes are then
    /// summed by the tree of <see cref="GemmDotReduce"/>.
    /// <para>
    /// A block with fewer rows or columns points the missing ones at row 0 and drops their sums. So every
    /// element of C gets the same arithmetic wherever its block falls, which keeps results independent
    /// of how the rows are split between threads.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T, TColumns>(int k, T* a, T* b, T* c, nint ldc, int rows, int cols, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TColumns : struct, IDotColumns
    {
        T* a0 = a, a1 = a + (rows > 1 ? k : 0), a2 = a + (rows > 2 ? 2 * k : 0), a3 = a + (rows > 3 ? 3 * k : 0);
        T* b0 = b, b1 = b + (cols > 1 ? k : 0), b2 = b + (cols > 2 ? 2 * k : 0), b3 = b + (cols > 3 ? 3 * k : 0);
        Vector512<T> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<T> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<T> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<T> c30 = default, c31 = default, c32 = default, c33 = default;

        int full = k / Vector512<T>.Count * Vector512<T>.Count;
        for (int p = 0; p < full; p += Vector512<T>.Count)
        {
            Vector512<T> y2 = default, y3 = default;
            var y0 = Vector512.Load(b0 + p);
            var y1 = Vector512.Load(b1 + p);
            if (TColumns.Four)
            {
                y2 = Vector512.Load(b2 + p);
                y3 = Vector512.Load(b3 + p);
            }

            var x = Vector512.Load(a0 + p);
            c00 = Fma(x, y0, c00);
            c01 = Fma(x, y1, c01);
            if (TColumns.Four)
            {
                c02 = Fma(x, y2, c02);
                c03 = Fma(x, y3, c03);
            }

            x = Vector512.Load(a1 + p);
            c10 = Fma(x, y0, c10);
            c11 = Fma(x, y1, c11);
            if (TColumns.Four)
            {
                c12 = Fma(x, y2, c12);
                c13 = Fma(x, y3, c13);
            }

            x = Vector512.Load(a2 + p);
            c20 = Fma(x, y0, c20);
            c21 = Fma(x, y1, c21);
            if (TColumns.Four)
            {
                c22 = Fma(x, y2, c22);
                c23 = Fma(x, y3, c23);
            }

            x = Vector512.Load(a3 + p);
            c30 = Fma(x, y0, c30);
            c31 = Fma(x, y1, c31);
            if (TColumns.Four)
            {
                c32 = Fma(x, y2, c32);
                c33 = Fma(x, y3, c33);
            }
        }

        if (full < k)
        {
            var mask = Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(k - full)));
            Vector512<T> y2 = default, y3 = default;
            var y0 = Tail(b0 + full, mask);
            var y1 = Tail(b1 + full, mask);
            if (TColumns.Four)
            {
                y2 = Tail(b2 + full, mask);
                y3 = Tail(b3 + full, mask);
            }

            var x = Tail(a0 + full, mask);
            c00 = Fma(x, y0, c00);
            c01 = Fma(x, y1, c01);
            if (TColumns.Four)
            {
                c02 = Fma(x, y2, c02);
                c03 = Fma(x, y3, c03);
            }

            x = Tail(a1 + full, mask);
            c10 = Fma(x, y0, c10);
            c11 = Fma(x, y1, c11);
            if (TColumns.Four)
            {
                c12 = Fma(x, y2, c12);
                c13 = Fma(x, y3, c13);
            }

            x = Tail(a2 + full, mask);
            c20 = Fma(x, y0, c20);
            c21 = Fma(x, y1, c21);
            if (TColumns.Four)
            {
                c22 = Fma(x, y2, c22);
                c23 = Fma(x, y3, c23);
            }

            x = Tail(a3 + full, mask);
            c30 = Fma(x, y0, c30);
            c31 = Fma(x, y1, c31);
            if (TColumns.Four)
            {
                c32 = Fma(x, y2, c32);
                c33 = Fma(x, y3, c33);
            }
        }

        if (TColumns.Four)
        {
            GemmDotReduce.Write4x4(c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c, ldc, rows, cols, store);
        }
        else
        {
            GemmDotReduce.Write4x2(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc, rows, cols, store);
        }
    }

    /// <summary>
    /// row[0 … r) in lanes 0 … r − 1 and zeros above (r set lanes of <paramref name="mask"/>), by a masked
    /// load: masked-off lanes are neither read nor able to fault, so nothing past the row is touched. A
    /// call here (a copy through the stack, say) would make the JIT spill all 16 accumulators around the
    /// main loop, which ran 4× slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Tail<T>(T* row, Vector512<T> mask)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Avx512F.MaskLoad((float*)row, mask.AsSingle(), Vector512<float>.Zero).As<float, T>();
        }

        return Avx512F.MaskLoad((double*)row, mask.AsDouble(), Vector512<double>.Zero).As<double, T>();
    }

    /// <summary>x·y + z with one rounding; the type tests fold away when T is specialised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Fma<T>(Vector512<T> x, Vector512<T> y, Vector512<T> z)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector512.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }
}
