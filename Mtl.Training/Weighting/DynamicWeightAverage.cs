using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// Dynamic Weight Average (Liu, Johns &amp; Davison 2019, MTAN): with Lᵢ(t) the mean loss of task i over
/// epoch t and K tasks, λᵢ(t) = K·exp(wᵢ(t−1)/τ) / Σⱼ exp(wⱼ(t−1)/τ) with wᵢ(t−1) = Lᵢ(t−1)/Lᵢ(t−2): a task
/// whose loss falls more slowly gets more weight. λᵢ = 1 for the first two epochs, which lack a history.
/// </summary>
/// <remarks>In a trainer, <see cref="Weigh"/> observes each step's losses and <see cref="EndEpoch()"/> closes
/// each epoch. By hand: call <see cref="Observe"/> with each step's losses (or pass epoch means to
/// <see cref="EndEpoch(IReadOnlyList{double})"/>), and <see cref="EndEpoch()"/> at the end of each epoch;
/// <see cref="Combine"/> applies the weights of the current epoch. The loss history is part of the saved
/// state, so a resumed run weighs its epochs as an uninterrupted one would.</remarks>
public sealed class DynamicWeightAverage<T> : ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly double[] _sums;
    private readonly int[] _counts;
    private readonly double[] _weights;
    private double[]? _previous;
    private double[]? _last;

    /// <summary>Creates the schedule.</summary>
    /// <param name="tasks">The tasks.</param>
    /// <param name="temperature">τ &gt; 0; larger is softer (τ → ∞ gives equal weights). The paper uses 2.</param>
    public DynamicWeightAverage(IEnumerable<string> tasks, double temperature = 2)
    {
        _tasks = TaskIndex.Validate("DWA", tasks);
        if (!(temperature > 0) || !double.IsFinite(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "DWA: the temperature must be a finite number > 0.");
        }

        Temperature = temperature;
        _sums = new double[_tasks.Length];
        _counts = new int[_tasks.Length];
        _weights = Enumerable.Repeat(1.0, _tasks.Length).ToArray();
    }

    /// <summary>τ.</summary>
    public double Temperature { get; }

    /// <summary>Number of completed epochs recorded.</summary>
    public int Epochs { get; private set; }

    /// <inheritdoc />
    public string Name => "dwa";

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>λᵢ of the current epoch.</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, Var<T>>> NamedParameters() => [];

    /// <summary>Σ λᵢLᵢ with the current epoch's weights (constants).</summary>
    public Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses) => StaticWeighting<T>.WeightedSum(losses, TaskIndex.Of("DWA", _tasks, losses), _weights);

    /// <summary>Observes the step's losses (<see cref="Observe"/>) and weighs them with the current epoch's λₜ (constants).</summary>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("DWA", _tasks, losses);
        Observe(losses);
        return StaticWeighting<T>.Scaled(losses, at, _weights);
    }

    /// <summary>Adds one step's loss values to the running means of the current epoch.</summary>
    public void Observe(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("DWA", _tasks, losses);
        for (int i = 0; i < losses.Count; i++)
        {
            _sums[at[i]] += double.CreateTruncating(losses[i].Loss.Item());
            _counts[at[i]]++;
        }
    }

    /// <summary>Closes the epoch with the means of the observed losses and updates the weights.</summary>
    /// <exception cref="InvalidOperationException">A task had no observed loss in the epoch.</exception>
    public void EndEpoch()
    {
        var means = new double[_tasks.Length];
        for (int i = 0; i < means.Length; i++)
        {
            if (_counts[i] == 0)
            {
                throw new InvalidOperationException($"DWA: task '{_tasks[i]}' had no observed loss this epoch.");
            }

            means[i] = _sums[i] / _counts[i];
        }

        Array.Clear(_sums);
        Array.Clear(_counts);
        EndEpoch(means);
    }

    /// <summary>Closes the epoch with the given mean losses Lᵢ(t) (task order) and updates the weights.</summary>
    /// <exception cref="ArgumentException">The count differs from the task count, or a loss is not finite and &gt; 0.</exception>
    public void EndEpoch(IReadOnlyList<double> meanLosses)
    {
        ArgumentNullException.ThrowIfNull(meanLosses);
        if (meanLosses.Count != _tasks.Length)
        {
            throw new ArgumentException($"DWA: {meanLosses.Count} epoch losses for {_tasks.Length} tasks.", nameof(meanLosses));
        }

        for (int i = 0; i < meanLosses.Count; i++)
        {
            if (!double.IsFinite(meanLosses[i]) || meanLosses[i] <= 0)
            {
                throw new ArgumentException($"DWA: the epoch loss {meanLosses[i]} of task '{_tasks[i]}' is not a finite number > 0 (the rate Lᵢ(t−1)/Lᵢ(t−2) needs one).", nameof(meanLosses));
            }
        }

        _previous = _last;
        _last = [.. meanLosses];
        Epochs++;
        if (_previous is null)
        {
            return;
        }

        // Softmax of the rates over τ, shifted by the max rate for stability, scaled to sum to K.
        var rates = _last.Select((l, i) => l / _previous[i] / Temperature).ToArray();
        double max = rates.Max();
        double norm = rates.Sum(r => Math.Exp(r - max));
        for (int i = 0; i < rates.Length; i++)
        {
            _weights[i] = _tasks.Length * Math.Exp(rates[i] - max) / norm;
        }
    }

    /// <summary>Writes the running sums and counts of the epoch, the last two epoch means, the weights and the epoch count.</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("epochs", Epochs);
        state.Set("sums", _sums);
        state.Set("counts", [.. _counts.Select(c => (double)c)]);
        state.Set("weights", _weights);
        state.Set("last", _last ?? []);
        state.Set("previous", _previous ?? []);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int k = _tasks.Length;
        long epochs = state.GetInteger("epochs");
        var sums = state.GetArray("sums", k);
        var counts = state.GetArray("counts", k);
        var weights = state.GetArray("weights", k);
        var last = state.GetArray("last");
        var previous = state.GetArray("previous");
        if (epochs < 0 || epochs > int.MaxValue || last.Length != (epochs >= 1 ? k : 0) || previous.Length != (epochs >= 2 ? k : 0)
            || counts.Any(c => c < 0 || c != Math.Floor(c) || c > int.MaxValue))
        {
            throw new InvalidDataException($"DWA: the saved history does not fit {k} tasks after {epochs} epochs.");
        }

        Epochs = (int)epochs;
        sums.CopyTo(_sums, 0);
        for (int i = 0; i < k; i++)
        {
            _counts[i] = (int)counts[i];
        }

        weights.CopyTo(_weights, 0);
        _last = epochs >= 1 ? last : null;
        _previous = epochs >= 2 ? previous : null;
    }
}
