using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// Splits C into disjoint blocks of whole register tiles, one per thread, along m or n (see
/// <see cref="SplitN"/>). Each thread runs the complete blocked GEMM (or, for the products
/// <see cref="GemmDirect.Takes{T}"/> picks, the unpacked one) on its block, so each element of C is
/// computed by exactly one thread with the same arithmetic as in a single-threaded run.
/// </summary>
internal sealed unsafe class GemmParallel<T> : IParallelWork
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static GemmParallel<T>? _cached;

    private GemmKernelKind _kind;
    private bool _ta, _tb, _accumulate, _splitN, _direct;
    private int _m, _n, _k, _tiles, _tile, _parts;
    private T* _a, _b, _c;

    /// <summary>
    /// Runs C (=|+=) op(A)·op(B) on up to <paramref name="threads"/> threads, each part through
    /// <see cref="GemmDirect"/> when <paramref name="direct"/>, else <see cref="GemmBlocked"/>; false if the
    /// worker pool was busy and nothing was done.
    /// </summary>
    public static bool TryRun(GemmKernelKind kind, bool direct, bool ta, bool tb, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int threads)
    {
        var job = _cached ??= new GemmParallel<T>();
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind);
        int tilesM = (m + mr - 1) / mr, tilesN = (n + nr - 1) / nr;
        job._splitN = direct ? tilesM < threads : SplitN(ta, m, n, k, mr, nr, tilesM, tilesN, threads);
        job._direct = direct;
        job._tiles = job._splitN ? tilesN : tilesM;
        job._tile = job._splitN ? nr : mr;
        job._parts = Math.Min(threads, job._tiles);
        (job._kind, job._ta, job._tb, job._accumulate) = (kind, ta, tb, accumulate);
        (job._m, job._n, job._k) = (m, n, k);
        job._a = a;
        job._b = b;
        job._c = c;
        bool ran = job._parts < 2 || GemmWorkers.TryRun(job, job._parts);
        if (job._parts < 2)
        {
            job.Run(0);
        }

        job._a = job._b = job._c = null;
        return ran;
    }

    /// <summary>
    /// Whether splitting C by columns costs less than by rows, for the blocked GEMM. Each thread packs the
    /// op(B) columns and op(A) rows of its own block, so a split along m repeats the packing of all of
    /// op(B) (k·n elements) in every thread, and a split along n that of op(A) when A is transposed (A
    /// stored m×k is read in place, see <see cref="GemmBlocked"/>). The cost of a split is its largest
    /// part's multiply-adds plus its packing; at m=256, n=512 splitting the larger tile count (m, 32 tiles
    /// of 8 against 16 of 32) made both threads pack the whole of B. The choice cannot change any bit of C.
    /// <para>
    /// The unpacked GEMM (<see cref="GemmDirect"/>) is split by rows whenever there are enough row tiles:
    /// its parts sweep the rows of C in the same order at the same time, so split by columns each core
    /// writes one half of the row the other is writing, and the cores' prefetchers keep pulling each
    /// other's lines. Two threads ran 256×512×12 (C += A·B) in 54 µs split by columns, 20 by rows.
    /// </para>
    /// </summary>
    internal static bool SplitN(bool ta, int m, int n, int k, int mr, int nr, int tilesM, int tilesN, int threads)
    {
        long packA = ta ? (long)m * k : 0, packB = (long)k * n;
        long byRows = Cost(tilesM, threads, (long)mr * n * k, packB + (packA / Math.Min(threads, tilesM)));
        long byColumns = Cost(tilesN, threads, (long)m * nr * k, packA + (packB / Math.Min(threads, tilesN)));
        return byColumns <= byRows;
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

    /// <summary>Part p of P owns tiles [p·T/P, (p+1)·T/P) along the split dimension.</summary>
    public void Run(int part)
    {
        int start = Math.Min(part * _tiles / _parts * _tile, _splitN ? _n : _m);
        int end = Math.Min((part + 1) * _tiles / _parts * _tile, _splitN ? _n : _m);
        (int i0, int i1, int j0, int j1) = _splitN ? (0, _m, start, end) : (start, end, 0, _n);
        if (_direct)
        {
            GemmDirect.Run(_kind, _ta, _tb, _m, _n, _k, _a, _b, _c, _accumulate, i0, i1, j0, j1);
        }
        else
        {
            GemmBlocked.Run(_kind, _ta, _tb, _m, _n, _k, _a, _b, _c, _accumulate, i0, i1, j0, j1);
        }
    }
}
