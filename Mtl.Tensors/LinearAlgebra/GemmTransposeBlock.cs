using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Tensors;

/// <summary>
/// Transposes one square block of W×W elements in registers, W = Vector256&lt;T&gt;.Count (8 floats or
/// 4 doubles): W row loads, the unpack/shuffle/lane-permute network of the classic AVX transpose, and W
/// column stores. Packing a transposed operand element by element costs one load and one store per
/// element; this costs about three instructions per W elements.
/// </summary>
internal static unsafe class GemmTransposeBlock
{
    /// <summary>Whether <see cref="Run"/> supports T on this hardware.</summary>
    public static bool IsSupported<T>()
        where T : unmanaged => Avx.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>dst[q·ldDst + r] = src[r·ld + q] for r, q &lt; W. Only for T with <see cref="IsSupported"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<T>(T* src, nint ld, T* dst, nint ldDst)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Float8x8((float*)src, ld, (float*)dst, ldDst);
        }
        else
        {
            Double4x4((double*)src, ld, (double*)dst, ldDst);
        }
    }

    private static void Float8x8(float* src, nint ld, float* dst, nint ldDst)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + (2 * ld));
        var r3 = Avx.LoadVector256(src + (3 * ld));
        var r4 = Avx.LoadVector256(src + (4 * ld));
        var r5 = Avx.LoadVector256(src + (5 * ld));
        var r6 = Avx.LoadVector256(src + (6 * ld));
        var r7 = Avx.LoadVector256(src + (7 * ld));

        // Rows a..h; t0 = a0 b0 a1 b1 | a4 b4 a5 b5 (| separates the 128-bit lanes), t1 = a2 b2 a3 b3 | a6 b6 a7 b7.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);

        // s0 = a0 b0 c0 d0 | a4 b4 c4 d4, s1 = column 1 | 5, s2 = 2 | 6, s3 = 3 | 7; s4..s7 for rows e..h.
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Joining the low lanes of s_q and s_{q+4} gives column q, the high lanes column q + 4.
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldDst, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + (2 * ldDst), Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + (3 * ldDst), Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + (4 * ldDst), Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + (5 * ldDst), Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + (6 * ldDst), Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + (7 * ldDst), Avx.Permute2x128(s3, s7, 0x31));
    }

    private static void Double4x4(double* src, nint ld, double* dst, nint ldDst)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + ld);
        var r2 = Avx.LoadVector256(src + (2 * ld));
        var r3 = Avx.LoadVector256(src + (3 * ld));

        // t0 = a0 b0 | a2 b2, t1 = a1 b1 | a3 b3; t2, t3 likewise for rows c, d.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(dst, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(dst + ldDst, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(dst + (2 * ldDst), Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(dst + (3 * ldDst), Avx.Permute2x128(t1, t3, 0x31));
    }
}
