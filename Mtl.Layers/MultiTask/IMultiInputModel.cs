using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// What a trainer needs of a multi-task architecture whose tasks read different inputs (each task its own
/// data set): the tasks, a forward pass over one input per task, which parameters the tasks share (where
/// gradient-level methods such as PCGrad or MGDA act), and any regulariser the architecture adds to the loss.
/// </summary>
public interface IMultiInputModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Task names in output order.</summary>
    IReadOnlyList<string> Tasks { get; }

    /// <summary>The output of every task that has an input in <paramref name="inputs"/> (task name → that task's
    /// input, rows on axis 0; the tasks' row counts may differ), in the model's task order.</summary>
    /// <exception cref="KeyNotFoundException">An input names a task the model does not have.</exception>
    TaskOutputs<T> Forward(IReadOnlyDictionary<string, Var<T>> inputs);

    /// <summary>Parameters used by more than one task.</summary>
    IEnumerable<Var<T>> SharedParameters();

    /// <summary>A differentiable penalty the architecture adds to the loss, or null.</summary>
    Var<T>? Penalty();
}
