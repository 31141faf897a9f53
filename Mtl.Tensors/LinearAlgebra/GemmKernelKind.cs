using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Tensors;

/// <summary>The register-tile micro-kernel a GEMM runs with; each has its own MR×NR tile shape.</summary>
internal enum GemmKernelKind
{
    /// <summary>Portable scalar 4×4 tile, for hardware without 256-bit FMA.</summary>
    Scalar,

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
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmKernelKind.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmKernelKind.Vector256
        : GemmKernelKind.Scalar;

    /// <summary>Kernel in use; tests lower it to exercise the fallbacks on capable hardware.</summary>
    internal static GemmKernelKind Active { get; set; } = Best;

    /// <summary>Rows of the register tile (elements of op(A) broadcast per k step).</summary>
    public static int Mr(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => GemmMicroKernel512.Mr,
        GemmKernelKind.Vector256 => GemmMicroKernel256.Mr,
        _ => GemmMicroKernelScalar.Mr,
    };

    /// <summary>Columns of the register tile: two vectors of T, or 4 scalars.</summary>
    public static int Nr<T>(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => 2 * Vector512<T>.Count,
        GemmKernelKind.Vector256 => 2 * Vector256<T>.Count,
        _ => GemmMicroKernelScalar.Nr,
    };
}
