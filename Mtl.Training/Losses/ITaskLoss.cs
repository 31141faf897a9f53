using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>
/// The loss of one task, so that a trainer can hold one per task. Every implementation returns a scalar
/// <see cref="Var{T}"/> and takes an optional per-sample mask: a row with mask 0 adds nothing to the
/// loss or its gradient, other entries weight their row, and the mean is over the unmasked rows. An
/// all-masked batch gives 0 with a zero gradient, never NaN.
/// </summary>
public interface ITaskLoss<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A short name for messages and logs (<c>mse</c>, <c>cross_entropy</c>, ...).</summary>
    string Name { get; }

    /// <summary>Whether the task is a regression or a classification.</summary>
    TaskKind Kind { get; }

    /// <summary>Mean (default) or sum over the unmasked rows.</summary>
    LossReduction Reduction { get; }

    /// <summary>The loss of <paramref name="prediction"/> [N, ...] against <paramref name="target"/>.</summary>
    /// <param name="prediction">The head's output; the first axis is the batch.</param>
    /// <param name="target">The targets (class indices stored as numbers for a classification).</param>
    /// <param name="mask">Per-sample weights [N]: 0 masks a row out (a missing label), 1 keeps it; null keeps every row.</param>
    /// <exception cref="ArgumentException">Shapes disagree, the mask has a negative or non-finite entry, or a
    /// target on an unmasked row is invalid (NaN, infinite, out of range); the message names the row.</exception>
    Var<T> Compute(Var<T> prediction, Tensor<T> target, Tensor<T>? mask = null);
}
