using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// Per-task gradients on the shared parameters from one forward pass, for gradient-level weighting
/// (PCGrad, MGDA, CAGrad) and for inspecting task conflict.
/// </summary>
public static class TaskGradients<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// For each task loss: Backward with the graph retained, copy the shared parameters' gradients into the
    /// task's flat vector (as float64, parameters in the given order), and zero them. Task-specific (head)
    /// parameters accumulate their own task's gradient as in an ordinary backward. The shared parameters'
    /// gradients are left as they were found (so gradient accumulation over micro-batches still works);
    /// write the combined gradient into them with <see cref="TaskGradientSet{T}.Apply(IGradientCombiner)"/>. The tape is
    /// released at the end: read anything else needed from this forward pass (predictions for metrics) first.
    /// </summary>
    /// <param name="losses">The scalar task losses of one forward pass (weighted already if a loss-level
    /// weighting applies, e.g. <see cref="GradNorm{T}.Weigh"/>).</param>
    /// <param name="sharedParameters">The shared parameters (e.g. <c>model.Shared.Parameters()</c>).</param>
    /// <exception cref="ArgumentException">No losses, a task twice, no shared parameters, a parameter twice, or a loss that is not a scalar.</exception>
    public static TaskGradientSet<T> Compute(IReadOnlyList<TaskLoss<T>> losses, IReadOnlyList<Var<T>> sharedParameters)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(sharedParameters);
        var tasks = TaskIndex.Validate("task gradients", losses.Select(l => l.Task));
        if (sharedParameters.Count == 0 || sharedParameters.Distinct(ReferenceEqualityComparer.Instance).Count() != sharedParameters.Count)
        {
            throw new ArgumentException("task gradients: the shared parameters must be a non-empty list without repeats.", nameof(sharedParameters));
        }

        foreach (var (task, loss) in losses)
        {
            if (loss.Shape.Length != 1)
            {
                throw new ArgumentException($"task gradients: the loss of task '{task}' has shape {loss.Shape}; expected a scalar.", nameof(losses));
            }
        }

        return new TaskGradientWorkspace<T>([.. sharedParameters]).OnParameters(losses);
    }

    /// <summary>Widens (or copies) a gradient into a float64 row: vectorised, a row is as long as the model.</summary>
    internal static void ToDouble(ReadOnlySpan<T> source, Span<double> destination) =>
        TensorPrimitives.ConvertTruncating<T, double>(source, destination[..source.Length]);
}
