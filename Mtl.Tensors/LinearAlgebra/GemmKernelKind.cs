using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Tensors;

/// <summary>The register-tile micro-kernel a GEMM runs with; each has its own MR×NR tile shape.</summary>
/// <remarks>Ordered by vector width, so a kind can be compared with the best one the hardware has.</remarks>
internal enum GemmKernelKind
{
    /// <summary>Portable scalar 4×4 tile, for hardware without SIMD (or with it switched off).</summary>
    Scalar,

    /// <summary>
    /// 128-bit vectors (ARM64 NEON, x86 SSE): 6 rows × 2 Vector128, 12 accumulators, which fits the 16
    /// xmm registers of x86 as well as NEON's 32.
    /// </summary>
    Vector128,

    /// <summary>AVX2 + FMA: 6 rows × 2 Vector256 (12 accumulators of the 16 ymm registers).</summary>
    Vector256,

    /// <summary>AVX-512: 8 rows × 2 Vector512 (16 accumulators of the 32 zmm registers).</summary>
    Vector512,
}

/// <summary>
/// Tile shape (MR rows of op(A) × NR columns of op(B)) of each micro-kernel, and the kernel this
/// machine uses. The choice is made once per process from the hardware, never from the thread count,
/// so it cannot make results depend on <see cref="MtlThreads.Count"/>.
/// </summary>
internal static class GemmKernels
{
    /// <summary>The best kernel the hardware supports.</summary>
    public static readonly GemmKernelKind Best =
        IsSupported(GemmKernelKind.Vector512) ? GemmKernelKind.Vector512
        : IsSupported(GemmKernelKind.Vector256) ? GemmKernelKind.Vector256
        : IsSupported(GemmKernelKind.Vector128) ? GemmKernelKind.Vector128
        : GemmKernelKind.Scalar;

    /// <summary>Every kind this hardware runs, widest last; tests run each of them.</summary>
    public static readonly IReadOnlyList<GemmKernelKind> Supported =
        Enum.GetValues<GemmKernelKind>().Where(IsSupported).ToArray();

    /// <summary>Kernel in use; tests switch it to another supported kind to exercise every kernel.</summary>
    /// <exception cref="PlatformNotSupportedException">The hardware cannot run the kind.</exception>
    internal static GemmKernelKind Active
    {
        get => _active;
        set
        {
            if (!IsSupported(value))
            {
                throw new PlatformNotSupportedException($"Gemm: the {value} kernel needs instructions this CPU (or the runtime's settings) does not provide; the best here is {Best}.");
            }

            _active = value;
        }
    }

    private static GemmKernelKind _active = Best;

    /// <summary>
    /// Whether the hardware runs <paramref name="kind"/> at full speed: Vector512 needs AVX-512F with VL
    /// (the narrow path's masked stores), Vector256 needs FMA (without it a fused multiply-add is emulated
    /// in software), Vector128 needs any 128-bit SIMD (it uses an FMA where there is one, else a multiply
    /// and an add).
    /// </summary>
    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512F.VL.IsSupported,
        GemmKernelKind.Vector256 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        GemmKernelKind.Vector128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    /// <summary>Rows of the register tile (elements of op(A) broadcast per k step).</summary>
    public static int Mr(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => GemmMicroKernel512.Mr,
        GemmKernelKind.Vector256 => GemmMicroKernel256.Mr,
        GemmKernelKind.Vector128 => GemmMicroKernel128.Mr,
        _ => GemmMicroKernelScalar.Mr,
    };

    /// <summary>Columns of the register tile: two vectors of T, or 4 scalars.</summary>
    public static int Nr<T>(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => 2 * Vector512<T>.Count,
        GemmKernelKind.Vector256 => 2 * Vector256<T>.Count,
        GemmKernelKind.Vector128 => 2 * Vector128<T>.Count,
        _ => GemmMicroKernelScalar.Nr,
    };
}
