using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// Splits C into disjoint blocks of whole register tiles, one per thread, along m or n (as
/// <see cref="GemmPlan"/> says). Each thread runs the complete blocked GEMM (or the unpacked one) on its
/// block, so each element of C is computed by exactly one thread with the same arithmetic as in a
/// single-threaded run. Packed parts split by rows share the packing of op(B) (<see cref="GemmTeam{T}"/>).
/// </summary>
internal sealed unsafe class GemmParallel<T> : IParallelWork
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static GemmParallel<T>? _cached;

    private GemmKernelKind _kind;
    private GemmPath _path;
    private readonly GemmTeam<T> _team = new();
    private bool _ta, _tb, _accumulate, _splitN, _shared;
    private int _m, _n, _k, _tiles, _tile, _parts;
    private T* _a, _b, _c;

    /// <summary>
    /// Runs C (=|+=) op(A)·op(B) as <paramref name="plan"/> says (its path: <see cref="GemmPath.Unpacked"/>
    /// or <see cref="GemmPath.Packed"/>). When another fork-join holds the worker pool the parts run one
    /// after another on the caller, which gives the same bits.
    /// </summary>
    public static void Run(GemmKernelKind kind, GemmPlan plan, bool ta, bool tb, int m, int n, int k, T* a, T* b, T* c, bool accumulate)
    {
        if (plan.Parts < 2)
        {
            RunBlock(kind, plan.Path, ta, tb, m, n, k, a, b, c, accumulate, 0, m, 0, n);
            return;
        }

        var job = _cached ??= new GemmParallel<T>();
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind);
        job._splitN = plan.SplitColumns;
        job._path = plan.Path;
        job._tiles = plan.SplitColumns ? (n + nr - 1) / nr : (m + mr - 1) / mr;
        job._tile = plan.SplitColumns ? nr : mr;
        job._parts = plan.Parts;
        (job._kind, job._ta, job._tb, job._accumulate) = (kind, ta, tb, accumulate);
        (job._m, job._n, job._k) = (m, n, k);
        job._a = a;
        job._b = b;
        job._c = c;
        try
        {
            if (plan.Path == GemmPath.Packed && !plan.SplitColumns)
            {
                // Row parts share the packing of op(B) and wait for each other, so they must all run
                // at once: when the pool is busy the whole product runs here instead.
                job._team.Reset(plan.Parts, GemmBlocked.BlockElements(n, k, nr));
                job._shared = true;
                if (!GemmWorkers.TryRun(job, plan.Parts))
                {
                    RunBlock(kind, plan.Path, ta, tb, m, n, k, a, b, c, accumulate, 0, m, 0, n);
                }
            }
            else
            {
                job._shared = false;
                MtlParallel.Run(job, plan.Parts);
            }
        }
        finally
        {
            job._a = job._b = job._c = null;
        }
    }

    /// <summary>Part p of P owns tiles [p·T/P, (p+1)·T/P) along the split dimension.</summary>
    public void Run(int part)
    {
        int start = Math.Min(part * _tiles / _parts * _tile, _splitN ? _n : _m);
        int end = Math.Min((part + 1) * _tiles / _parts * _tile, _splitN ? _n : _m);
        (int i0, int i1, int j0, int j1) = _splitN ? (0, _m, start, end) : (start, end, 0, _n);
        if (!_shared)
        {
            RunBlock(_kind, _path, _ta, _tb, _m, _n, _k, _a, _b, _c, _accumulate, i0, i1, j0, j1);
            return;
        }

        try
        {
            GemmBlocked.Run(_kind, _ta, _tb, _m, _n, _k, _a, _b, _c, _accumulate, i0, i1, j0, j1, _team, part);
        }
        catch
        {
            _team.Break();
            throw;
        }
    }

    private static void RunBlock(GemmKernelKind kind, GemmPath path, bool ta, bool tb, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int i0, int i1, int j0, int j1)
    {
        if (path == GemmPath.Unpacked)
        {
            GemmDirect.Run(kind, ta, tb, m, n, k, a, b, c, accumulate, i0, i1, j0, j1);
        }
        else
        {
            GemmBlocked.Run(kind, ta, tb, m, n, k, a, b, c, accumulate, i0, i1, j0, j1);
        }
    }
}
