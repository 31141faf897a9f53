using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors;

/// <summary>
/// The Vector128 register-tile GEMM micro-kernel (6 rows × 2 vectors: 6×8 floats or 6×4 doubles), for
/// CPUs whose widest vectors are 128 bits: ARM64 (NEON) and x86 without AVX2.
/// </summary>
internal static unsafe class GemmMicroKernel128
{
    /// <summary>Rows of the tile: elements of A broadcast per k step.</summary>
    public const int Mr = 6;

    /// <summary>
    /// C[0..6, 0..2W] (=|+=) Σ_p a[r·aRow + p·aStep]·b[p·bStep + j] over one KC slice (see
    /// <see cref="GemmTile"/>), W = Vector128&lt;T&gt;.Count. The 12 accumulators, two B vectors and the
    /// broadcast element take 15 registers, so the tile fits x86's 16 xmm registers without spilling;
    /// NEON's 32 would hold a larger tile, but one shape keeps the kernel testable on x86. Accumulators
    /// start at zero and the slice is added to C once, as in the wider kernels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, nint ldc, bool store)
        where T : unmanaged
    {
        int w = Vector128<T>.Count;
        Vector128<T> c00 = default, c01 = default;
        Vector128<T> c10 = default, c11 = default;
        Vector128<T> c20 = default, c21 = default;
        Vector128<T> c30 = default, c31 = default;
        Vector128<T> c40 = default, c41 = default;
        Vector128<T> c50 = default, c51 = default;

        // Two base pointers reach the six rows with scaled-index addressing (0, 1, 2 × aRow from each), so
        // no row address is recomputed inside the loop; strides in bytes and a count down to zero (kc ≥ 1),
        // as in GemmMicroKernel256.
        T* a3 = a + (3 * aRow);
        nint aRow2 = 2 * aRow, aBytes = aStep * sizeof(T), bBytes = bStep * sizeof(T);
        for (int p = kc; p != 0; p--)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + w);
            var x = Vector128.Create(a[0]);
            c00 = MultiplyAdd(x, b0, c00);
            c01 = MultiplyAdd(x, b1, c01);
            x = Vector128.Create(a[aRow]);
            c10 = MultiplyAdd(x, b0, c10);
            c11 = MultiplyAdd(x, b1, c11);
            x = Vector128.Create(a[aRow2]);
            c20 = MultiplyAdd(x, b0, c20);
            c21 = MultiplyAdd(x, b1, c21);
            x = Vector128.Create(a3[0]);
            c30 = MultiplyAdd(x, b0, c30);
            c31 = MultiplyAdd(x, b1, c31);
            x = Vector128.Create(a3[aRow]);
            c40 = MultiplyAdd(x, b0, c40);
            c41 = MultiplyAdd(x, b1, c41);
            x = Vector128.Create(a3[aRow2]);
            c50 = MultiplyAdd(x, b0, c50);
            c51 = MultiplyAdd(x, b1, c51);
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
    private static void Write<T>(Vector128<T> v0, Vector128<T> v1, T* c, int w, bool store)
        where T : unmanaged
    {
        if (!store)
        {
            v0 += Vector128.Load(c);
            v1 += Vector128.Load(c + w);
        }

        v0.Store(c);
        v1.Store(c + w);
    }

    /// <summary>
    /// x·y + z, fused where the CPU has an FMA (NEON always; x86 with FMA3) and a multiply then an add
    /// elsewhere: a software-emulated fused multiply-add would cost more than the whole tile. Either way
    /// the choice is fixed per process, so results never depend on the thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<T> MultiplyAdd<T>(Vector128<T> x, Vector128<T> y, Vector128<T> z)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            return Vector128.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>();
        }

        return Vector128.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();
    }
}
