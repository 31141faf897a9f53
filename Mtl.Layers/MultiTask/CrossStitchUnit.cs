using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// One cross-stitch unit (Misra et al. 2016, eq. 1): for T tasks' activations of one shape, x̃_i =
/// Σ_j α_ij x_j with a learned T×T matrix <c>alpha</c>. Computed as one matrix product α·X over the
/// activations stacked as rows X [T, size], so dα = dX̃·Xᵀ and dX = αᵀ·dX̃ come from the matmul op.
/// </summary>
public sealed class CrossStitchUnit<T> : Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the unit with α_ii = <paramref name="selfWeight"/> and α_ij = (1 − selfWeight)/(T − 1),
    /// so each row sums to 1 (the paper's initialisation, 0.9 by default).</summary>
    /// <param name="tasks">T, the number of tasks.</param>
    /// <param name="selfWeight">The initial weight of a task's own activation.</param>
    public CrossStitchUnit(int tasks, double selfWeight = 0.9)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tasks);
        TaskCount = tasks;
        var alpha = new Tensor<T>(tasks, tasks);
        T self = tasks == 1 ? T.One : T.CreateTruncating(selfWeight);
        T other = tasks == 1 ? T.Zero : T.CreateTruncating((1 - selfWeight) / (tasks - 1));
        for (int i = 0; i < tasks; i++)
        {
            for (int j = 0; j < tasks; j++)
            {
                alpha.Span[(i * tasks) + j] = i == j ? self : other;
            }
        }

        Alpha = RegisterParameter("alpha", alpha);
    }

    /// <summary>T, the number of tasks.</summary>
    public int TaskCount { get; }

    /// <summary>The mixing matrix α [T, T]; row i mixes the inputs of task i.</summary>
    public Var<T> Alpha { get; }

    /// <summary>Mixes one activation per task (all of one shape), in task order.</summary>
    /// <exception cref="ArgumentException">The count is not T or the shapes differ.</exception>
    public IReadOnlyList<Var<T>> Forward(IReadOnlyList<Var<T>> activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Count != TaskCount)
        {
            throw new ArgumentException($"{(Path.Length == 0 ? "CrossStitchUnit" : Path)} (CrossStitchUnit): got {activations.Count} activations for {TaskCount} tasks.", nameof(activations));
        }

        var shape = activations[0].Shape;
        foreach (var a in activations)
        {
            if (a.Shape != shape)
            {
                throw ShapeError("an activation", a.Shape, $"{shape}, the shape of the first task's activation");
            }
        }

        var stacked = Ops.Concat(activations.Select(a => a.Reshape(1, shape.Length)).ToList(), 0);
        var mixed = Alpha.MatMul(stacked);
        var dims = shape.ToArray();
        return [.. Enumerable.Range(0, TaskCount).Select(i => mixed.Slice(0, i, 1).Reshape(dims))];
    }
}
