using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// A loss-level task weighting: combines the task losses into the objective L = Σ λᵢLᵢ (plus the scheme's
/// own terms). The weights may be fixed, scheduled from the loss history, or learned; learned weights are
/// parameters the optimizer updates alongside the model's. As a <see cref="IMultiTaskMethod{T}"/> it weighs
/// the losses and may read the per-task gradients (GradNorm does), but leaves their combination to the sum or
/// to a <see cref="IGradientCombiner"/> it is paired with (<see cref="WeightedCombination{T}"/>).
/// </summary>
public interface ILossWeighting<T> : IMultiTaskMethod<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The tasks, in the order of <see cref="Weights"/>.</summary>
    IReadOnlyList<string> Tasks { get; }

    /// <summary>The current effective weights λᵢ, for logging.</summary>
    IReadOnlyList<double> Weights { get; }

    /// <summary>The objective of this step's task losses. A task missing from <paramref name="losses"/> adds nothing.</summary>
    /// <exception cref="ArgumentException">A loss names an unknown task, a task appears twice, or the list is empty.</exception>
    Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses);

    /// <summary>Checks that the weighting has exactly the trainer's tasks.</summary>
    void IMultiTaskMethod<T>.Bind(MultiTaskSetup<T> setup) => TaskIndex.Bind(Name, Tasks, setup);

    /// <inheritdoc />
    double IMultiTaskMethod<T>.WeightOf(string task)
    {
        for (int i = 0; i < Tasks.Count; i++)
        {
            if (Tasks[i] == task)
            {
                return Weights[i];
            }
        }

        return 1.0;
    }
}
