using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// Log-loss weighting, the loss-scale half of DB-MTL (Lin et al. 2023, "Dual-Balancing Multi-Task Learning"):
/// each task's term is ln(Lₜ + ε), so that ∇ ln(Lₜ + ε) = ∇Lₜ/(Lₜ + ε) and a task's loss scale no longer sets its
/// share of the update (every task's loss counts by its relative change). Its effective weight is 1/(Lₜ + ε).
/// </summary>
/// <remarks>Paired with <see cref="DbMtlCombiner"/> it is DB-MTL (<see cref="DbMtlCombiner.Method{T}"/>); it pairs
/// with any other combiner too. ε = 10⁻⁸ as in LibMTL. The losses must be &gt; −ε.</remarks>
public sealed class LogLossWeighting<T> : ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>ε, the shift under the logarithm.</summary>
    public const double Epsilon = 1e-8;

    private readonly string[] _tasks;
    private readonly double[] _weights;

    /// <summary>Creates the weighting; before the first step every weight is 1.</summary>
    public LogLossWeighting(IEnumerable<string> tasks)
    {
        _tasks = TaskIndex.Validate("log-loss weighting", tasks);
        _weights = Enumerable.Repeat(1.0, _tasks.Length).ToArray();
    }

    /// <inheritdoc />
    public string Name => "log";

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The effective weights 1/(Lₜ + ε) of the last step (those of absent tasks kept).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Σₜ ln(Lₜ + ε).</summary>
    public Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses)
    {
        var terms = Weigh(losses);
        var total = terms[0].Loss;
        for (int i = 1; i < terms.Count; i++)
        {
            total += terms[i].Loss;
        }

        return total;
    }

    /// <summary>ln(Lₜ + ε) per task.</summary>
    /// <exception cref="InvalidOperationException">A loss is not finite, or Lₜ + ε ≤ 0.</exception>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("log-loss weighting", _tasks, losses);
        var terms = new TaskLoss<T>[losses.Count];
        for (int i = 0; i < terms.Length; i++)
        {
            double shifted = double.CreateTruncating(losses[i].Loss.Item()) + Epsilon;
            if (!(shifted > 0) || !double.IsFinite(shifted))
            {
                throw new InvalidOperationException($"log-loss weighting: the loss of task '{losses[i].Task}' is {shifted - Epsilon}; its logarithm needs a finite loss > −{Epsilon}.");
            }

            _weights[at[i]] = 1 / shifted;
            terms[i] = new TaskLoss<T>(losses[i].Task, (losses[i].Loss + T.CreateTruncating(Epsilon)).Log());
        }

        return terms;
    }
}
