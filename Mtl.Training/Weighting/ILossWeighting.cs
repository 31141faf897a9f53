using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// A loss-level task weighting: combines the task losses into the objective L = Σ λᵢLᵢ (plus the scheme's
/// own terms). The weights may be fixed, scheduled from the loss history, or learned; learned weights are
/// parameters the optimizer updates alongside the model's.
/// </summary>
public interface ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The tasks, in the order of <see cref="Weights"/>.</summary>
    IReadOnlyList<string> Tasks { get; }

    /// <summary>The current effective weights λᵢ, for logging.</summary>
    IReadOnlyList<double> Weights { get; }

    /// <summary>Learnable parameters of the scheme by name (none for fixed or scheduled weights).</summary>
    IEnumerable<KeyValuePair<string, Var<T>>> NamedParameters();

    /// <summary>The objective of this step's task losses. A task missing from <paramref name="losses"/> adds nothing.</summary>
    /// <exception cref="ArgumentException">A loss names an unknown task, a task appears twice, or the list is empty.</exception>
    Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses);
}
