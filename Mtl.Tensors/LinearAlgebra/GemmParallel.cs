using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// Splits C into disjoint blocks of whole register tiles, one per thread, along whichever of m or n
/// has more tiles. Each thread runs the complete blocked GEMM on its block, so each element of C is
/// computed by exactly one thread with the same arithmetic as in a single-threaded run.
/// </summary>
internal sealed unsafe class GemmParallel<T> : IPartitionedWork
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static GemmParallel<T>? _cached;

    private GemmKernelKind _kind;
    private bool _ta, _tb, _accumulate, _splitN;
    private int _m, _n, _k, _tiles, _tile, _parts;
    private T* _a, _b, _c;

    /// <summary>
    /// Runs C (=|+=) op(A)·op(B) on up to <paramref name="threads"/> threads; false if the worker pool was
    /// busy and nothing was done.
    /// </summary>
    public static bool TryRun(GemmKernelKind kind, bool ta, bool tb, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int threads)
    {
        var job = _cached ??= new GemmParallel<T>();
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind);
        int tilesM = (m + mr - 1) / mr, tilesN = (n + nr - 1) / nr;
        job._splitN = tilesN >= tilesM;
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

    /// <summary>Part p of P owns tiles [p·T/P, (p+1)·T/P) along the split dimension.</summary>
    public void Run(int part)
    {
        int start = Math.Min(part * _tiles / _parts * _tile, _splitN ? _n : _m);
        int end = Math.Min((part + 1) * _tiles / _parts * _tile, _splitN ? _n : _m);
        if (_splitN)
        {
            GemmBlocked.Run(_kind, _ta, _tb, _m, _n, _k, _a, _b, _c, _accumulate, 0, _m, start, end);
        }
        else
        {
            GemmBlocked.Run(_kind, _ta, _tb, _m, _n, _k, _a, _b, _c, _accumulate, start, end, 0, _n);
        }
    }
}
