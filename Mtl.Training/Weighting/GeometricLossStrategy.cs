using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// Geometric loss strategy, GLS (Chennupati et al. 2019, "MultiNet++"): the objective is the geometric
/// mean of the K task losses, L = (Πₜ Lₜ)^(1/K), which is invariant to each loss's scale in its direction
/// (∇L = Σₜ L/(K·Lₜ)·∇Lₜ: a task's gradient counts relative to its own loss).
/// </summary>
/// <remarks>As per-task terms the product is split by its gradient: Jₜ = λₜLₜ with the constants λₜ = L/(K·Lₜ),
/// whose sum is L and whose gradient is ∇L exactly, so a gradient combiner sees each task's share of it. K counts
/// the tasks present in the step. The losses must be positive (the geometric mean of a zero loss has no
/// gradient with respect to it).</remarks>
public sealed class GeometricLossStrategy<T> : ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly double[] _weights;

    /// <summary>Creates the strategy; before the first step every weight is 1/K.</summary>
    public GeometricLossStrategy(IEnumerable<string> tasks)
    {
        _tasks = TaskIndex.Validate("GLS", tasks);
        _weights = Enumerable.Repeat(1.0 / _tasks.Length, _tasks.Length).ToArray();
    }

    /// <inheritdoc />
    public string Name => "gls";

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The effective weights λₜ = L/(K·Lₜ) of the last step (0 for a task that was absent).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>(Πₜ Lₜ)^(1/K) = exp((1/K)·Σₜ ln Lₜ), on the tape.</summary>
    /// <exception cref="InvalidOperationException">A loss is not a finite number &gt; 0.</exception>
    public Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses)
    {
        TaskIndex.Of("GLS", _tasks, losses);
        Check(losses);
        var sum = losses[0].Loss.Log();
        for (int i = 1; i < losses.Count; i++)
        {
            sum += losses[i].Loss.Log();
        }

        return (sum / T.CreateTruncating(losses.Count)).Exp();
    }

    /// <summary>λₜLₜ per task with λₜ = L/(K·Lₜ) constant: their sum is L and their gradient ∇L.</summary>
    /// <exception cref="InvalidOperationException">A loss is not a finite number &gt; 0.</exception>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("GLS", _tasks, losses);
        var values = Check(losses);
        int k = losses.Count;
        double geometric = Math.Exp(values.Sum(Math.Log) / k);
        Array.Clear(_weights);
        for (int i = 0; i < k; i++)
        {
            _weights[at[i]] = geometric / (k * values[i]);
        }

        return StaticWeighting<T>.Scaled(losses, at, _weights);
    }

    private static double[] Check(IReadOnlyList<TaskLoss<T>> losses)
    {
        var values = losses.Select(l => double.CreateTruncating(l.Loss.Item())).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            if (!(values[i] > 0) || !double.IsFinite(values[i]))
            {
                throw new InvalidOperationException($"GLS: the loss of task '{losses[i].Task}' is {values[i]}; the geometric mean needs every loss finite and > 0.");
            }
        }

        return values;
    }
}
