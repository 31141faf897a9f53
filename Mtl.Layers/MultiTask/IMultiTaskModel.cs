using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// What a trainer needs of any multi-task architecture taking one input: the tasks, a forward pass with
/// one output per task, which parameters the tasks share (where gradient-level methods such as PCGrad
/// or MGDA act), and any regulariser the architecture itself contributes to the loss.
/// </summary>
public interface IMultiTaskModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Task names in output order.</summary>
    IReadOnlyList<string> Tasks { get; }

    /// <summary>One output per task.</summary>
    TaskOutputs<T> Forward(Var<T> input);

    /// <summary>The output of one task, computing only what it needs.</summary>
    Var<T> Forward(Var<T> input, string task);

    /// <summary>Parameters used by more than one task.</summary>
    IEnumerable<Var<T>> SharedParameters();

    /// <summary>A differentiable penalty the architecture adds to the loss (soft sharing's λ·Σ‖W_a − W_b‖²), or null.</summary>
    Var<T>? Penalty();
}
