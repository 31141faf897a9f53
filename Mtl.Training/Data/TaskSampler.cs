using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>How a multi-source training loop picks the task of each step.</summary>
public enum TaskSampling
{
    /// <summary>Tasks in turn: 0, 1, …, K−1, 0, 1, …; every task gets the same number of steps.</summary>
    RoundRobin,

    /// <summary>Task k with probability nₖ / Σ n (its data set's share of all rows), drawn independently
    /// each step; every row is then visited about equally often, whatever its task.</summary>
    Proportional,
}

/// <summary>Picks the task of each training step, reproducibly from a seed.</summary>
public sealed class TaskSampler
{
    private readonly double[] _cumulative;
    private readonly SeededRandom _random;
    private int _next;

    /// <summary>Creates the sampler.</summary>
    /// <param name="sizes">Rows in each task's data set (the weights of <see cref="TaskSampling.Proportional"/>).</param>
    /// <param name="mode">Round-robin or proportional.</param>
    /// <param name="seed">Seed of the proportional draws.</param>
    /// <exception cref="ArgumentException">No task, or a size that is not positive.</exception>
    public TaskSampler(IReadOnlyList<int> sizes, TaskSampling mode, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Count == 0 || sizes.Any(s => s <= 0))
        {
            throw new ArgumentException($"TaskSampler: need at least one task and positive sizes (got [{string.Join(", ", sizes)}]).", nameof(sizes));
        }

        Mode = mode;
        _random = new SeededRandom(seed);
        _cumulative = new double[sizes.Count];
        double total = sizes.Sum(s => (double)s), run = 0;
        for (int k = 0; k < sizes.Count; k++)
        {
            run += sizes[k];
            _cumulative[k] = run / total;
        }
    }

    /// <summary>The sampling rule.</summary>
    public TaskSampling Mode { get; }

    /// <summary>Number of tasks.</summary>
    public int TaskCount => _cumulative.Length;

    /// <summary>The probability of task <paramref name="task"/> at a step (1/K for round-robin, in the long run).</summary>
    public double Probability(int task) =>
        Mode == TaskSampling.RoundRobin ? 1.0 / TaskCount : _cumulative[task] - (task == 0 ? 0 : _cumulative[task - 1]);

    /// <summary>The task of the next step.</summary>
    public int Next()
    {
        if (Mode == TaskSampling.RoundRobin)
        {
            int k = _next;
            _next = (_next + 1) % TaskCount;
            return k;
        }

        double u = _random.NextDouble();
        for (int k = 0; k < _cumulative.Length - 1; k++)
        {
            if (u < _cumulative[k])
            {
                return k;
            }
        }

        return _cumulative.Length - 1;
    }
}
