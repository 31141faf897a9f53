namespace Mtl.Tensors;

/// <summary>
/// Every size threshold the GEMM chooses its path by, one row per kernel kind (see
/// <see cref="GemmPlan"/>). Thresholds move work between paths and threads, never change a result:
/// every path and split computes each element of C with the same arithmetic.
/// </summary>
/// <param name="MaxWorkOneThread">Largest m·n·k (multiply-adds) run on one thread: below it, waking a worker and splitting cost more than half the work.</param>
/// <param name="MaxWorkUnpacked">Largest m·n·k always read in place (<see cref="GemmDirect"/>) rather than packed (<see cref="GemmBlocked"/>).</param>
/// <param name="MaxUnpackedOperandBytes">Larger products with B stored k×n still run unpacked when one KC slice of B and all of A each take at most this many bytes; 0 turns that off.</param>
/// <param name="NarrowMaxN">Widest C (columns) computed as dot products (<see cref="GemmNarrow{T}"/>); 0 when the kind has no dot-product kernel.</param>
/// <param name="NarrowMinParallelWork">Smallest m·n·k of the dot-product path split between threads.</param>
internal sealed record GemmTuning(
    long MaxWorkOneThread,
    long MaxWorkUnpacked,
    long MaxUnpackedOperandBytes,
    int NarrowMaxN,
    long NarrowMinParallelWork)
{
    /// <summary>
    /// AVX-512, measured on a 2-core Zen 5 host. One thread up to 2^19: at 64×128×64 it gave ~215 GFLOP/s
    /// against ~170 for two, and at 96³ two won (~250 against ~220). Unpacked up to 2^22 (~256³), where
    /// skipping the packing beat it (~218 against ~194 GFLOP/s at 256³); above it B rows at a power-of-two
    /// stride start to alias in L1. Larger products with both operands within 512 KiB ran unpacked
    /// because two threads packing the same operand ran slower than twice one: the weight gradient
    /// C += Aᵀ·B at 512×512×256 took 370-416 µs unpacked on two threads against 460-660 packed, while
    /// past those limits unpacked lost (TN 1024×512×256 1041 against 833 µs). Dot products up to n = 24
    /// (against the 8×32 tiles at m = 256, k = 512: n = 16 in 21 µs against 67, 24 in 31 against 40, tied
    /// at 32), split between threads from 2^18 (64×8×512 took 2.6 µs on two against 2.8 on one).
    /// </summary>
    public static readonly GemmTuning Vector512 = new(
        MaxWorkOneThread: 1L << 19,
        MaxWorkUnpacked: 1L << 22,
        MaxUnpackedOperandBytes: 512 * 1024,
        NarrowMaxN: 24,
        NarrowMinParallelWork: 1L << 18);

    /// <summary>AVX2 + FMA.</summary>
    public static readonly GemmTuning Vector256 = Vector512;

    /// <summary>128-bit vectors: no dot-product kernel (C of one column goes to the matrix-vector path).</summary>
    public static readonly GemmTuning Vector128 = Vector512 with { NarrowMaxN = 0 };

    /// <summary>No SIMD.</summary>
    public static readonly GemmTuning Scalar = Vector128;

    /// <summary>The row for <paramref name="kind"/>.</summary>
    public static GemmTuning For(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Vector512 => Vector512,
        GemmKernelKind.Vector256 => Vector256,
        GemmKernelKind.Vector128 => Vector128,
        _ => Scalar,
    };
}
