namespace Mtl.Tensors;

/// <summary>Work split into independent parts, each run by one thread.</summary>
public interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> (0-based) of the work.</summary>
    void Run(int part);
}

/// <summary>Work over an index range whose elements are independent: any split gives the same result.</summary>
public interface IRangeWork
{
    /// <summary>Does the work for indices [<paramref name="start"/>, <paramref name="end"/>).</summary>
    void Run(int start, int end);
}

/// <summary>
/// Runs independent parts of a job on the kernels' worker threads (the GEMM's), the caller taking part 0.
/// Parts must not depend on each other or on which thread runs them, so results never depend on the
/// thread count; when the workers are busy the parts run one after another on the caller.
/// </summary>
public static class MtlParallel
{
    /// <summary>
    /// Elements from which a streaming pass (an activation, a bias add, a bias gradient) is split across
    /// threads. Such a pass is bound by memory traffic, and each core brings its own L2 bandwidth; below
    /// this, waking a worker costs more than the half it takes over (a 2^16-float pass takes ~10 µs).
    /// </summary>
    public const int StreamingThreshold = 1 << 16;

    /// <summary>Runs parts 0..<paramref name="parts"/>-1 of <paramref name="work"/> and returns when all are done.</summary>
    public static void Run(IParallelWork work, int parts)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (parts > 1 && GemmWorkers.TryRun(work, parts))
        {
            return;
        }

        for (int p = 0; p < parts; p++)
        {
            work.Run(p);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> over [0, <paramref name="length"/>), split into one contiguous range per
    /// thread when <paramref name="cost"/> (elements touched, about) reaches <see cref="StreamingThreshold"/>.
    /// Range boundaries are multiples of <paramref name="align"/> (64 elements keeps each thread on its own
    /// cache lines). The work must treat indices independently, so the split cannot change the result.
    /// </summary>
    public static void For<TWork>(int length, TWork work, long cost, int align = 64)
        where TWork : struct, IRangeWork
    {
        int parts = cost >= StreamingThreshold ? Math.Min(MtlThreads.Count, Math.Max(1, length / Math.Max(1, align))) : 1;
        if (parts <= 1)
        {
            work.Run(0, length);
            return;
        }

        var job = RangeJob<TWork>.ForThisThread;
        job.Set(work, length, parts, align);
        try
        {
            Run(job, parts);
        }
        finally
        {
            job.Clear();
        }
    }

    /// <summary>Adapts a range work to the fork-join parts; one per thread and work type, reused.</summary>
    private sealed class RangeJob<TWork> : IParallelWork
        where TWork : struct, IRangeWork
    {
        [ThreadStatic]
        private static RangeJob<TWork>? _forThisThread;

        private TWork _work;
        private int _length, _parts, _align;

        public static RangeJob<TWork> ForThisThread => _forThisThread ??= new RangeJob<TWork>();

        public void Set(TWork work, int length, int parts, int align) => (_work, _length, _parts, _align) = (work, length, parts, align);

        public void Clear() => _work = default;

        public void Run(int part)
        {
            int start = Boundary(part), end = Boundary(part + 1);
            if (start < end)
            {
                _work.Run(start, end);
            }
        }

        /// <summary>Start of part p: p/P of the range, rounded down to the alignment; the last part ends at the length.</summary>
        private int Boundary(int part) => part >= _parts ? _length : (int)((long)_length * part / _parts) / _align * _align;
    }
}
