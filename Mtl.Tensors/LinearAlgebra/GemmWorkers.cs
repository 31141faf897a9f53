using System.Runtime.ExceptionServices;

namespace Mtl.Tensors;

/// <summary>
/// A minimal fork-join pool of long-lived threads for the GEMM. Unlike Parallel.For it allocates
/// nothing per call (no closures, tasks or partitioners), and its threads keep their packing buffers.
/// The caller runs part 0 itself, so a 2-way split wakes a single worker.
/// </summary>
/// <remarks>
/// One fork-join runs at a time. A call that finds the pool busy (kernels called from several threads
/// at once, or from inside a part of a running fork-join) gets <c>false</c> and runs its parts itself;
/// GEMM results do not depend on the split, so that only costs speed.
/// </remarks>
internal static class GemmWorkers
{
    private static readonly Lock Gate = new();
    private static readonly ManualResetEventSlim Done = new(false, spinCount: 2000);
    private static Worker[] _workers = [];
    private static IParallelWork? _work;
    private static int _pending;
    private static Exception? _failure;

    /// <summary>Runs parts 0..<paramref name="parts"/>-1 and returns when all are done.</summary>
    /// <returns><c>false</c> (nothing run) when another fork-join holds the pool.</returns>
    public static bool TryRun(IParallelWork work, int parts)
    {
        // A part of a running fork-join that forks again (a per-sample loop whose parts call the GEMM) must not
        // take the pool: the lock is re-entrant, and a second fork from the caller's thread would reset the
        // shared state the first one's workers are still using. It runs its parts itself instead.
        if (Gate.IsHeldByCurrentThread || !Gate.TryEnter())
        {
            return false;
        }

        try
        {
            EnsureWorkers(parts - 1);
            _work = work;
            _failure = null;
            Volatile.Write(ref _pending, parts - 1);
            Done.Reset();
            for (int i = 1; i < parts; i++)
            {
                _workers[i - 1].Start(i);
            }

            Exception? own = null;
            try
            {
                work.Run(0);
            }
            catch (Exception e)
            {
                own = e;
            }

            // Always wait: the workers read memory the caller has pinned only for this call.
            Done.Wait();
            _work = null;
            if ((own ?? _failure) is { } failure)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            return true;
        }
        finally
        {
            Gate.Exit();
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (_workers.Length >= count)
        {
            return;
        }

        var grown = new Worker[count];
        _workers.CopyTo(grown, 0);
        for (int i = _workers.Length; i < count; i++)
        {
            grown[i] = new Worker(i + 1);
        }

        _workers = grown;
    }

    private static void Finish(Exception? failure)
    {
        if (failure is not null)
        {
            _failure = failure;
        }

        if (Interlocked.Decrement(ref _pending) == 0)
        {
            Done.Set();
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim _go = new(0);
        private int _part;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Mtl GEMM worker {index}" };
            thread.Start();
        }

        public void Start(int part)
        {
            _part = part;
            _go.Release();
        }

        private void Loop()
        {
            while (true)
            {
                _go.Wait();
                Exception? failure = null;
                try
                {
                    _work!.Run(_part);
                }
                catch (Exception e)
                {
                    failure = e;
                }

                Finish(failure);
            }
        }
    }
}
