using System.Globalization;
using System.Numerics;

namespace Mtl.Training.Weighting;

/// <summary>
/// The gradient-magnitude half of DB-MTL (Lin et al. 2023, "Dual-Balancing Multi-Task Learning", as in
/// LibMTL): each task keeps a moving average of its gradient, ĝₜ ← gₜ + βₙ(ĝₜ − gₜ) with βₙ = β/n^σ at the task's
/// n-th step (ĝₜ = 0 before the first), and the update scales every average to the largest one's norm,
/// d = Σₜ (maxₛ‖ĝₛ‖ / ‖ĝₜ‖)·ĝₜ: no task's gradient is smaller than the largest. With
/// <see cref="LogLossWeighting{T}"/> (so that gₜ = ∇ ln Lₜ) it is DB-MTL, <see cref="Method{T}"/>.
/// </summary>
/// <remarks>
/// <para>The averages and step counts are kept per task name, so a task that sits a step out keeps its average and
/// count (LibMTL counts the steps globally; with every task in every step the two agree). The averages, one row of
/// the gradients' length per task, are the saved state. They need rows of one length from step to step: on the
/// shared representation that means batches of one size (<see cref="TrainerOptions{T}.DropLast"/>).</para>
/// <para>A task whose gradient is exactly zero is left out of the step; a task whose average is exactly zero
/// adds nothing.</para>
/// </remarks>
public sealed class DbMtlCombiner : IGradientCombiner
{
    private readonly string[] _tasks;
    private readonly double[][] _averages;
    private readonly long[] _steps;

    /// <summary>Creates the combiner.</summary>
    /// <param name="tasks">The tasks.</param>
    /// <param name="beta">β ∈ [0, 1), the average's base rate (a hyper-parameter the paper tunes).</param>
    /// <param name="sigma">σ ≥ 0, the decay of the rate with the step count.</param>
    public DbMtlCombiner(IEnumerable<string> tasks, double beta = 0.9, double sigma = 0.5)
    {
        _tasks = TaskIndex.Validate("DB-MTL", tasks);
        if (!(beta >= 0 && beta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "DB-MTL: β must be in [0, 1).");
        }

        if (!(sigma >= 0) || !double.IsFinite(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "DB-MTL: σ must be a finite number ≥ 0.");
        }

        Beta = beta;
        Sigma = sigma;
        _averages = [.. _tasks.Select(_ => Array.Empty<double>())];
        _steps = new long[_tasks.Length];
    }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <summary>σ.</summary>
    public double Sigma { get; }

    /// <inheritdoc />
    public string Name => "db-mtl";

    /// <summary>The tasks, in the order of <see cref="Average"/>.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>Task <paramref name="task"/>'s moving average ĝₜ (empty before its first step).</summary>
    public IReadOnlyList<double> Average(int task) => _averages[task];

    /// <summary>DB-MTL as one method: <see cref="LogLossWeighting{T}"/> paired with this combiner.</summary>
    public static WeightedCombination<T> Method<T>(IEnumerable<string> tasks, double beta = 0.9, double sigma = 0.5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var list = TaskIndex.Validate("DB-MTL", tasks);
        return new WeightedCombination<T>(new LogLossWeighting<T>(list), new DbMtlCombiner(list, beta, sigma));
    }

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients)
    {
        FlatVectors.Check(Name, taskGradients);
        var d = new double[taskGradients[0].Length];
        CombineInto(taskGradients, d);
        return d;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The rows are not one per task.</exception>
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d)
    {
        FlatVectors.Check(Name, taskGradients);
        if (taskGradients.Count != _tasks.Length)
        {
            throw new ArgumentException($"DB-MTL: {taskGradients.Count} task gradients for {_tasks.Length} tasks ({string.Join(", ", _tasks)}); pass the task names with a subset.", nameof(taskGradients));
        }

        CombineInto(_tasks, taskGradients, d);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A name is unknown or repeated, the counts differ, or the rows' length
    /// differs from that of the averages.</exception>
    public void CombineInto(IReadOnlyList<string> tasks, IReadOnlyList<double[]> taskGradients, Span<double> d)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        FlatVectors.Check(Name, taskGradients);
        if (tasks.Count != taskGradients.Count)
        {
            throw new ArgumentException($"DB-MTL: {tasks.Count} task names for {taskGradients.Count} task gradients.", nameof(tasks));
        }

        var present = FlatVectors.NonZero(taskGradients);
        var at = new int[present.Length];
        int length = taskGradients[0].Length;
        for (int p = 0; p < present.Length; p++)
        {
            at[p] = TaskIndex.IndexOf(_tasks, tasks[present[p]]);
            if (at[p] < 0 || Array.IndexOf(at, at[p], 0, p) >= 0)
            {
                throw new ArgumentException($"DB-MTL: task '{tasks[present[p]]}' is unknown or given twice (the tasks: {string.Join(", ", _tasks)}).", nameof(tasks));
            }

            if (_averages[at[p]].Length is not 0 and var kept && kept != length)
            {
                throw new ArgumentException($"DB-MTL: task '{_tasks[at[p]]}' has a gradient of {length} values but its moving average has {kept} (on the shared representation, batches must keep one size: set DropLast).", nameof(taskGradients));
            }
        }

        // ĝₜ ← gₜ + βₙ(ĝₜ − gₜ) = βₙ·ĝₜ + (1 − βₙ)·gₜ.
        var rows = new double[present.Length][];
        var norms = new double[present.Length];
        for (int p = 0; p < present.Length; p++)
        {
            int t = at[p];
            if (_averages[t].Length == 0)
            {
                _averages[t] = new double[length];
            }

            _steps[t]++;
            double rate = Beta / Math.Pow(_steps[t], Sigma);
            var average = _averages[t];
            TensorPrimitives.Multiply(average, rate, average);
            TensorPrimitives.MultiplyAdd(taskGradients[present[p]], 1 - rate, average, average);
            rows[p] = average;
            norms[p] = Math.Sqrt(FlatVectors.Dot(average, average));
        }

        double largest = norms.Length == 0 ? 0 : norms.Max();
        var scale = norms.Select(n => n > 0 ? largest / n : 0).ToArray();
        FlatVectors.CombinationInto(rows, scale, d);
    }

    /// <summary>Writes each task's step count (<c>steps</c>) and moving average (<c>average_0</c>, … in task order;
    /// empty before the task's first step).</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("steps", [.. _steps.Select(s => (double)s)]);
        for (int i = 0; i < _tasks.Length; i++)
        {
            state.Set(Key(i), _averages[i]);
        }
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var steps = state.GetArray("steps", _tasks.Length);
        var averages = Enumerable.Range(0, _tasks.Length).Select(i => state.GetArray(Key(i))).ToArray();
        int length = averages.Max(a => a.Length);
        for (int i = 0; i < _tasks.Length; i++)
        {
            if (!(steps[i] >= 0) || steps[i] != Math.Floor(steps[i]) || (steps[i] == 0) != (averages[i].Length == 0)
                || (averages[i].Length != 0 && averages[i].Length != length) || averages[i].Any(v => !double.IsFinite(v)))
            {
                throw new InvalidDataException($"DB-MTL: the saved step count ({steps[i]}) or moving average ({averages[i].Length} values) of task '{_tasks[i]}' is not valid.");
            }
        }

        for (int i = 0; i < _tasks.Length; i++)
        {
            _steps[i] = (long)steps[i];
            _averages[i] = averages[i];
        }
    }

    private static string Key(int task) => "average_" + task.ToString(CultureInfo.InvariantCulture);
}
