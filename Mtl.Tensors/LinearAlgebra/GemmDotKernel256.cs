using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Tensors;

/// <summary>
/// The Vector256 (AVX2 + FMA) dot-product kernel of the narrow A·Bᵀ path (<see cref="GemmNarrow{T}"/>):
/// a block of 4 rows of A × 2 rows of B, both read in place along k.
/// </summary>
internal static unsafe class GemmDotKernel256
{
    /// <summary>Rows of A per block.</summary>
    public const int Mr = 4;

    /// <summary>Rows of B (columns of C) per block.</summary>
    public const int Nr = 2;

    /// <summary>
    /// C[r, j] (=|+=) Σ_p a[r·k + p]·b[j·k + p] for r &lt; rows ≤ 4, j &lt; cols ≤ 2, as
    /// <see cref="GemmDotKernel512.Run"/> does with 4×4 zmm accumulators. Of the 16 ymm registers, 8 hold
    /// accumulators, 2 the B vectors and 1 the A vector of a k step (6 loads for 8 FMAs); a 4×4 block
    /// would spill.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(int k, T* a, T* b, T* c, nint ldc, int rows, int cols, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        T* a0 = a, a1 = a + (rows > 1 ? k : 0), a2 = a + (rows > 2 ? 2 * k : 0), a3 = a + (rows > 3 ? 3 * k : 0);
        T* b0 = b, b1 = b + (cols > 1 ? k : 0);
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default, c30 = default, c31 = default;

        int full = k / w * w;
        for (int p = 0; p < full; p += w)
        {
            var y0 = Vector256.Load(b0 + p);
            var y1 = Vector256.Load(b1 + p);
            var x = Vector256.Load(a0 + p);
            c00 = Fma(x, y0, c00);
            c01 = Fma(x, y1, c01);
            x = Vector256.Load(a1 + p);
            c10 = Fma(x, y0, c10);
            c11 = Fma(x, y1, c11);
            x = Vector256.Load(a2 + p);
            c20 = Fma(x, y0, c20);
            c21 = Fma(x, y1, c21);
            x = Vector256.Load(a3 + p);
            c30 = Fma(x, y0, c30);
            c31 = Fma(x, y1, c31);
        }

        if (full < k)
        {
            var mask = Vector256.LessThan(Vector256<T>.Indices, Vector256.Create(T.CreateTruncating(k - full)));
            var y0 = Tail(b0 + full, mask);
            var y1 = Tail(b1 + full, mask);
            var x = Tail(a0 + full, mask);
            c00 = Fma(x, y0, c00);
            c01 = Fma(x, y1, c01);
            x = Tail(a1 + full, mask);
            c10 = Fma(x, y0, c10);
            c11 = Fma(x, y1, c11);
            x = Tail(a2 + full, mask);
            c20 = Fma(x, y0, c20);
            c21 = Fma(x, y1, c21);
            x = Tail(a3 + full, mask);
            c30 = Fma(x, y0, c30);
            c31 = Fma(x, y1, c31);
        }

        GemmDotReduce.Write4x2(c00, c01, c10, c11, c20, c21, c30, c31, c, ldc, rows, cols, store);
    }

    /// <summary>As <see cref="GemmDotKernel512.Tail"/>: row[0 … r) in lanes 0 … r − 1 and zeros above, by a masked load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Tail<T>(T* row, Vector256<T> mask)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Avx.MaskLoad((float*)row, mask.AsSingle()).As<float, T>();
        }

        return Avx.MaskLoad((double*)row, mask.AsDouble()).As<double, T>();
    }

    /// <summary>x·y + z with one rounding; the type tests fold away when T is specialised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> z)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector256.FusedMultiplyAdd(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector256.FusedMultiplyAdd(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }
}
