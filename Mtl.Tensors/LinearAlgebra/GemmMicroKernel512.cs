using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors;

/// <summary>The Vector512 register-tile GEMM micro-kernel (8 rows × 2 vectors).</summary>
internal static unsafe class GemmMicroKernel512
{
    /// <summary>Rows of the tile: elements of A broadcast per k step.</summary>
    public const int Mr = 8;

    /// <summary>
    /// C[0..8, 0..2W] (=|+=) Σ_p a[r·aRow + p·aStep]·b[p·bStep + j] over one KC slice (see <see cref="GemmTile"/>), W = Vector512&lt;T&gt;.Count: an 8×2W register
    /// tile held in 16 zmm accumulators; each k step loads two vectors of B and
    /// broadcasts 8 elements of A, i.e. 16 FMAs per 10 loads. Accumulators start at zero
    /// and the slice is added to C once, so an element's rounding depends only on KC, never on threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, nint ldc, bool store)
        where T : unmanaged
    {
        int w = Vector512<T>.Count;
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;

        // Three base pointers reach the eight rows with scaled-index addressing (0, 1, 2 × aRow from each),
        // so no row address is recomputed inside the loop; strides in bytes and a count down to zero
        // (kc ≥ 1) leave 4 instructions of loop overhead per 16 FMAs (see GemmMicroKernel256).
        T* a3 = a + (3 * aRow), a6 = a + (6 * aRow);
        nint aRow2 = 2 * aRow, aBytes = aStep * sizeof(T), bBytes = bStep * sizeof(T);
        for (int p = kc; p != 0; p--)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + w);
            var x = Vector512.Create(a[0]);
            c00 = Fma(x, b0, c00);
            c01 = Fma(x, b1, c01);
            x = Vector512.Create(a[aRow]);
            c10 = Fma(x, b0, c10);
            c11 = Fma(x, b1, c11);
            x = Vector512.Create(a[aRow2]);
            c20 = Fma(x, b0, c20);
            c21 = Fma(x, b1, c21);
            x = Vector512.Create(a3[0]);
            c30 = Fma(x, b0, c30);
            c31 = Fma(x, b1, c31);
            x = Vector512.Create(a3[aRow]);
            c40 = Fma(x, b0, c40);
            c41 = Fma(x, b1, c41);
            x = Vector512.Create(a3[aRow2]);
            c50 = Fma(x, b0, c50);
            c51 = Fma(x, b1, c51);
            x = Vector512.Create(a6[0]);
            c60 = Fma(x, b0, c60);
            c61 = Fma(x, b1, c61);
            x = Vector512.Create(a6[aRow]);
            c70 = Fma(x, b0, c70);
            c71 = Fma(x, b1, c71);
            a = (T*)((byte*)a + aBytes);
            a3 = (T*)((byte*)a3 + aBytes);
            a6 = (T*)((byte*)a6 + aBytes);
            b = (T*)((byte*)b + bBytes);
        }

        Write(c00, c01, c, w, store);
        Write(c10, c11, c + ldc, w, store);
        Write(c20, c21, c + (2 * ldc), w, store);
        Write(c30, c31, c + (3 * ldc), w, store);
        Write(c40, c41, c + (4 * ldc), w, store);
        Write(c50, c51, c + (5 * ldc), w, store);
        Write(c60, c61, c + (6 * ldc), w, store);
        Write(c70, c71, c + (7 * ldc), w, store);
    }

    /// <summary>One tile row: stores the two accumulators, or adds them to what C holds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write<T>(Vector512<T> v0, Vector512<T> v1, T* c, int w, bool store)
        where T : unmanaged
    {
        if (!store)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + w);
        }

        v0.Store(c);
        v1.Store(c + w);
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
