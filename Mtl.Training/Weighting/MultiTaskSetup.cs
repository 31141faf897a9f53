using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Training.Weighting;

/// <summary>What a trainer tells a <see cref="IMultiTaskMethod{T}"/> when it binds it.</summary>
/// <param name="Tasks">The tasks trained, in the trainer's order.</param>
/// <param name="SharedParameters">The model's shared parameters, in the order of the columns of the per-task
/// gradient matrix (empty when the model shares none).</param>
public sealed record MultiTaskSetup<T>(IReadOnlyList<string> Tasks, IReadOnlyList<Var<T>> SharedParameters)
    where T : unmanaged, IFloatingPointIeee754<T>;
