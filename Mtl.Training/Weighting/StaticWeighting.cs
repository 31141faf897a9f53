using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>Fixed task weights: L = Σ λᵢLᵢ.</summary>
public sealed class StaticWeighting<T> : ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly double[] _weights;

    /// <summary>Creates the weighting from task weights λᵢ ≥ 0 (in task order).</summary>
    public StaticWeighting(IEnumerable<KeyValuePair<string, double>> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var pairs = weights.ToArray();
        _tasks = TaskIndex.Validate("static weighting", pairs.Select(p => p.Key));
        _weights = pairs.Select(p => p.Value).ToArray();
        for (int i = 0; i < _weights.Length; i++)
        {
            if (!double.IsFinite(_weights[i]) || _weights[i] < 0)
            {
                throw new ArgumentException($"static weighting: weight {_weights[i]} of task '{_tasks[i]}' is not a finite number ≥ 0.", nameof(weights));
            }
        }
    }

    /// <summary>λᵢ = 1 for every task: the plain sum of the losses.</summary>
    public static StaticWeighting<T> Equal(IEnumerable<string> tasks) =>
        new((tasks ?? throw new ArgumentNullException(nameof(tasks))).Select(t => new KeyValuePair<string, double>(t, 1.0)));

    /// <inheritdoc />
    public string Name => "static";

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <inheritdoc />
    public IReadOnlyList<double> Weights => _weights;

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, Var<T>>> NamedParameters() => [];

    /// <inheritdoc />
    public Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses) => WeightedSum(losses, TaskIndex.Of("static weighting", _tasks, losses), _weights);

    /// <summary>λₜLₜ per task, the weights constant.</summary>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses) => Scaled(losses, TaskIndex.Of("static weighting", _tasks, losses), _weights);

    /// <summary>λ[at[i]]·Lᵢ for each loss, with the weights as constants.</summary>
    internal static TaskLoss<T>[] Scaled(IReadOnlyList<TaskLoss<T>> losses, int[] at, IReadOnlyList<double> weights)
    {
        var terms = new TaskLoss<T>[losses.Count];
        for (int i = 0; i < losses.Count; i++)
        {
            terms[i] = new TaskLoss<T>(losses[i].Task, losses[i].Loss * T.CreateTruncating(weights[at[i]]));
        }

        return terms;
    }

    /// <summary>Σ λ[at[i]]·Lᵢ with the weights as constants.</summary>
    internal static Var<T> WeightedSum(IReadOnlyList<TaskLoss<T>> losses, int[] at, IReadOnlyList<double> weights)
    {
        Var<T>? total = null;
        for (int i = 0; i < losses.Count; i++)
        {
            var term = losses[i].Loss * T.CreateTruncating(weights[at[i]]);
            total = total is null ? term : total + term;
        }

        return total!;
    }
}
