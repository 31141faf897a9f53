using System.Runtime.CompilerServices;

namespace Mtl.Tensors;

/// <summary>The loop nest a GEMM runs (see <see cref="GemmPlan"/>).</summary>
internal enum GemmPath
{
    /// <summary>One dot product per row of A (C of one column, kinds without a dot-product kernel).</summary>
    MatrixVector,

    /// <summary>C = A·Bᵀ of few columns as dot products of rows read in place (<see cref="GemmNarrow{T}"/>).</summary>
    Narrow,

    /// <summary>Register tiles reading the operands in place (<see cref="GemmDirect"/>).</summary>
    Unpacked,

    /// <summary>Register tiles on packed, cache-blocked panels (<see cref="GemmBlocked"/>).</summary>
    Packed,
}

/// <summary>
/// How a GEMM of a given shape runs on a given kernel kind and thread count: its path, how many parts
/// it is split into and along which dimension. A pure function of its arguments (thresholds in
/// <see cref="GemmTuning"/>), so tests can check the plan for every kind on any machine.
/// </summary>
/// <remarks>
/// Whatever the plan, every element of C gets the same arithmetic (one FMA chain per KC slice, slices
/// added in order, or the same dot-product reduction): paths and splits decide speed, never bits. The
/// kind does change bits (tile widths differ), which is why it is chosen once per process.
/// </remarks>
/// <param name="Path">The loop nest.</param>
/// <param name="Parts">Threads the work is split between (1: run on the caller).</param>
/// <param name="SplitColumns">Parts own column blocks of C rather than row blocks.</param>
internal readonly record struct GemmPlan(GemmPath Path, int Parts, bool SplitColumns)
{
    /// <summary>The plan for C (=|+=) op(A)·op(B), op(A) m×k, op(B) k×n, on <paramref name="kind"/> with up to <paramref name="threads"/> threads.</summary>
    public static GemmPlan For<T>(bool ta, bool tb, int m, int n, int k, GemmKernelKind kind, int threads)
        where T : unmanaged
    {
        var tuning = GemmTuning.For(kind);
        long work = (long)m * n * k;

        // With A as stored (m×k) and B as n rows of k, every element is a dot product of two contiguous
        // rows; B's single column is such a row whether or not it is transposed.
        if (!ta && (tb || n == 1) && NarrowApplies<T>(kind, n, tuning))
        {
            int blocks = (m + NarrowRows(kind) - 1) / NarrowRows(kind);
            return new(GemmPath.Narrow, work >= tuning.NarrowMinParallelWork ? Math.Max(1, Math.Min(threads, blocks)) : 1, SplitColumns: false);
        }

        if (n == 1 && !ta)
        {
            return new(GemmPath.MatrixVector, 1, SplitColumns: false);
        }

        bool unpacked = Unpacked<T>(tb, m, n, k, tuning);
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind);
        int tilesM = (m + mr - 1) / mr, tilesN = (n + nr - 1) / nr;
        int wanted = work > tuning.MaxWorkOneThread ? threads : 1;
        bool splitN = wanted > 1 && (unpacked ? tilesM < wanted : SplitN(ta, m, n, k, mr, nr, tilesM, tilesN, wanted));
        int parts = Math.Max(1, Math.Min(wanted, splitN ? tilesN : tilesM));
        return new(unpacked ? GemmPath.Unpacked : GemmPath.Packed, parts, splitN && parts > 1);
    }

    /// <summary>
    /// Whether a C of n columns goes to the dot-product path: n ≤ <see cref="GemmTuning.NarrowMaxN"/> and
    /// the register tiles would leave more than a quarter of their columns unused (4n &gt; 3·⌈n/NR⌉·NR
    /// fails). So the AVX2 tiles (NR = 16 floats) keep n = 16, where they ran 256×16×512 in 26 µs against
    /// 34 as dot products, and the doubles of the Vector512 tiles (NR = 16) keep n = 13..16.
    /// </summary>
    internal static bool NarrowApplies<T>(GemmKernelKind kind, int n, GemmTuning tuning)
        where T : unmanaged => n <= tuning.NarrowMaxN && 4 * n <= 3 * GemmBlocked.RoundUp(n, GemmKernels.Nr<T>(kind));

    /// <summary>Rows of A per block of the dot-product path (the threads split C by whole blocks).</summary>
    internal static int NarrowRows(GemmKernelKind kind) => kind == GemmKernelKind.Vector512 ? GemmDotKernel512.Mr : GemmDotKernel256.Mr;

    /// <summary>
    /// Whether the register tiles read op(A) and op(B) in place: always up to
    /// <see cref="GemmTuning.MaxWorkUnpacked"/>; above it only when B is stored k×n and a KC slice of it
    /// and all of A each take at most <see cref="GemmTuning.MaxUnpackedOperandBytes"/>, so that both stay
    /// in L2 while they are read.
    /// </summary>
    private static bool Unpacked<T>(bool tb, int m, int n, int k, GemmTuning tuning)
        where T : unmanaged
    {
        if ((long)m * n * k <= tuning.MaxWorkUnpacked)
        {
            return true;
        }

        long bytes = tuning.MaxUnpackedOperandBytes;
        return !tb
            && (long)Math.Min(k, GemmBlocked.Kc) * n * Unsafe.SizeOf<T>() <= bytes
            && (long)m * k * Unsafe.SizeOf<T>() <= bytes;
    }

    /// <summary>
    /// Whether splitting C by columns costs less than by rows, for the packed path. Split by rows, the
    /// threads share the packing of op(B) (<see cref="GemmTeam{T}"/>) and each packs its own rows of a
    /// transposed A (A stored m×k is read in place, see <see cref="GemmBlocked"/>); split by columns, each
    /// packs its own columns of op(B) and all of a transposed A. The cost of a split is its largest part's
    /// multiply-adds plus its packing, so rows win unless they split unevenly (few row tiles) or a
    /// transposed A is small next to op(B).
    /// <para>
    /// The unpacked path is split by rows whenever there are enough row tiles: its parts sweep the rows of
    /// C in the same order at the same time, so split by columns each core writes one half of the row the
    /// other is writing, and the cores' prefetchers keep pulling each other's lines. Two threads ran
    /// 256×512×12 (C += A·B) in 54 µs split by columns, 20 by rows.
    /// </para>
    /// </summary>
    internal static bool SplitN(bool ta, int m, int n, int k, int mr, int nr, int tilesM, int tilesN, int threads)
    {
        long packA = ta ? (long)m * k : 0, packB = (long)k * n;
        int rowParts = Math.Min(threads, tilesM), columnParts = Math.Min(threads, tilesN);
        long byRows = Cost(tilesM, threads, (long)mr * n * k, (packB + packA) / rowParts);
        long byColumns = Cost(tilesN, threads, (long)m * nr * k, packA + (packB / columnParts));
        return byColumns < byRows;
    }

    /// <summary>
    /// Time of the slowest part in multiply-adds: packing one element (a load, a store and the cache
    /// misses of a strided source) costs about as much as 16 multiply-adds in the micro-kernel.
    /// </summary>
    private static long Cost(int tiles, int threads, long workPerTile, long packedPerPart)
    {
        const int PackCost = 16;
        int parts = Math.Min(threads, tiles);
        return ((tiles + parts - 1) / parts * workPerTile) + (PackCost * packedPerPart);
    }
}
