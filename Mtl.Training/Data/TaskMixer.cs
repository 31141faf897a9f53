using System.Numerics;

namespace Mtl.Training.Data;

/// <summary>One task's own data set, for tasks that have different inputs or different rows.</summary>
/// <param name="Task">The task this data set trains (a task of <paramref name="Data"/>).</param>
/// <param name="Data">Its rows.</param>
public sealed record TaskSource<T>(string Task, MultiTaskDataset<T> Data)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>A step's task and its batch.</summary>
/// <param name="TaskIndex">Index of the task among the mixer's sources.</param>
/// <param name="Task">The task's name.</param>
/// <param name="Batch">A batch of that task's data set (overwritten when that task comes round again).</param>
public readonly record struct TaskStep<T>(int TaskIndex, string Task, Batch<T> Batch)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Training steps over several per-task data sets: each step picks a task with a <see cref="TaskSampler"/>
/// and takes the next mini-batch of that task's data set. Each task walks through its own epochs
/// independently (a small data set simply starts its next epoch sooner), so the same seed gives the
/// same sequence of (task, batch) steps.
/// </summary>
public sealed class TaskMixer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TaskSource<T>[] _sources;
    private readonly MiniBatcher<T>[] _batchers;
    private readonly IEnumerator<Batch<T>>?[] _current;
    private readonly int[] _epochs;
    private readonly TaskSampler _sampler;

    /// <summary>Creates the mixer.</summary>
    /// <param name="sources">One data set per task.</param>
    /// <param name="batchSize">Rows per batch in every task.</param>
    /// <param name="mode">How tasks are picked.</param>
    /// <param name="seed">Seed for task picking and for every task's shuffles.</param>
    /// <exception cref="ArgumentException">No source, a task not in its data set, or an empty data set.</exception>
    public TaskMixer(IReadOnlyList<TaskSource<T>> sources, int batchSize, TaskSampling mode, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            throw new ArgumentException("TaskMixer: no task sources.", nameof(sources));
        }

        _sources = [.. sources];
        _batchers = new MiniBatcher<T>[_sources.Length];
        for (int k = 0; k < _sources.Length; k++)
        {
            _ = _sources[k].Data.Task(_sources[k].Task);
            _batchers[k] = new MiniBatcher<T>(_sources[k].Data, batchSize, unchecked(seed + (ulong)(k + 1)), dropLast: false);
        }

        _current = new IEnumerator<Batch<T>>?[_sources.Length];
        _epochs = new int[_sources.Length];
        _sampler = new TaskSampler([.. _sources.Select(s => s.Data.Rows)], mode, seed);
    }

    /// <summary>The task sampler (its <see cref="TaskSampler.Probability"/> gives the expected share of steps).</summary>
    public TaskSampler Sampler => _sampler;

    /// <summary>How many epochs task <paramref name="task"/> has started.</summary>
    public int EpochsStarted(int task) => _epochs[task];

    /// <summary>The next training step.</summary>
    public TaskStep<T> Next()
    {
        int k = _sampler.Next();
        var e = _current[k];
        if (e is null || !e.MoveNext())
        {
            e?.Dispose();
            e = _batchers[k].Epoch(_epochs[k]++).GetEnumerator();
            _current[k] = e;
            if (!e.MoveNext())
            {
                throw new InvalidOperationException($"TaskMixer: task '{_sources[k].Task}' has no rows.");
            }
        }

        return new TaskStep<T>(k, _sources[k].Task, e.Current);
    }
}
