using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors;

/// <summary>The Vector256 register-tile GEMM micro-kernel (6 rows × 2 vectors).</summary>
internal static unsafe class GemmMicroKernel256
{
    /// <summary>Rows of the tile: elements of A broadcast per k step.</summary>
    public const int Mr = 6;

    /// <summary>
    /// C[0..6, 0..2W] (=|+=) Σ_p a[r·aRow + p·aStep]·b[p·bStep + j] over one KC slice (see <see cref="GemmTile"/>), W = Vector256&lt;T&gt;.Count: a 6×2W register
    /// tile in 12 ymm accumulators, leaving 3 of the 16 ymm registers for the two B vectors and the
    /// broadcast A element (the classic Haswell tile). Accumulators start at zero and the slice is added
    /// to C once, so an element's rounding depends only on KC, never on threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, nint ldc, bool store)
        where T : unmanaged
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;

        // Two base pointers reach the six rows with scaled-index addressing (0, 1, 2 × aRow from each), so
        // no row address is recomputed inside the loop, and the strides are kept in bytes and the count
        // runs down to zero: 24 instructions per k step instead of 27 (the 12 FMAs take 6 cycles, and
        // cores that rename 4 per cycle could otherwise not keep both FMA units busy).
        T* a3 = a + (3 * aRow);
        nint aRow2 = 2 * aRow, aBytes = aStep * sizeof(T), bBytes = bStep * sizeof(T);
        for (int p = kc; p != 0; p--)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var x = Vector256.Create(a[0]);
            c00 = Fma(x, b0, c00);
            c01 = Fma(x, b1, c01);
            x = Vector256.Create(a[aRow]);
            c10 = Fma(x, b0, c10);
            c11 = Fma(x, b1, c11);
            x = Vector256.Create(a[aRow2]);
            c20 = Fma(x, b0, c20);
            c21 = Fma(x, b1, c21);
            x = Vector256.Create(a3[0]);
            c30 = Fma(x, b0, c30);
            c31 = Fma(x, b1, c31);
            x = Vector256.Create(a3[aRow]);
            c40 = Fma(x, b0, c40);
            c41 = Fma(x, b1, c41);
            x = Vector256.Create(a3[aRow2]);
            c50 = Fma(x, b0, c50);
            c51 = Fma(x, b1, c51);
            a = (T*)((byte*)a + aBytes);
            a3 = (T*)((byte*)a3 + aBytes);
            b = (T*)((byte*)b + bBytes);
        }

        Write(c00, c01, c, w, store);
        Write(c10, c11, c + ldc, w, store);
        Write(c20, c21, c + (2 * ldc), w, store);
        Write(c30, c31, c + (3 * ldc), w, store);
        Write(c40, c41, c + (4 * ldc), w, store);
        Write(c50, c51, c + (5 * ldc), w, store);
    }

    /// <summary>One tile row: stores the two accumulators, or adds them to what C holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write<T>(Vector256<T> v0, Vector256<T> v1, T* c, int w, bool store)
        where T : unmanaged
    {
        if (!store)
        {
            v0 += Vector256.Load(c);
            v1 += Vector256.Load(c + w);
        }

        v0.Store(c);
        v1.Store(c + w);
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
