using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Training.Losses;

/// <summary>One task's scalar loss of the current forward pass, named by its task.</summary>
/// <param name="Task">The task's name (as in the model's heads).</param>
/// <param name="Loss">The scalar loss.</param>
public readonly record struct TaskLoss<T>(string Task, Var<T> Loss)
    where T : unmanaged, IFloatingPointIeee754<T>;
