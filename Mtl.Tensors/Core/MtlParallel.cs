namespace Mtl.Tensors;

/// <summary>Work split into independent parts, each run by one thread.</summary>
public interface IParallelWork
{
    /// <summary>Runs part <paramref name="part"/> (0-based) of the work.</summary>
    void Run(int part);
}

/// <summary>
/// Runs independent parts of a job on the kernels' worker threads (the GEMM's), the caller taking part 0.
/// Parts must not depend on each other or on which thread runs them, so results never depend on the
/// thread count; when the workers are busy the parts run one after another on the caller.
/// </summary>
public static class MtlParallel
{
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
}
