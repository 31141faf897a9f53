using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// A multi-task model whose tasks all read one shared representation z = f(x) through their own heads:
/// outputs = headsₜ(f(x)). Splitting the forward pass there lets a trainer take each task's gradient with
/// respect to z (a backward through its head only) and combine the tasks at z, then push the one combined
/// gradient through the shared trunk (LibMTL's <c>rep_grad</c>): T cheap head passes and one trunk pass
/// instead of T trunk passes.
/// </summary>
public interface ISharedRepresentationModel<T> : IMultiTaskModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The shared representation z = f(x) every head reads.</summary>
    /// <exception cref="InvalidOperationException">The model has no single shared representation (heads attached at
    /// different depths of the trunk).</exception>
    Var<T> Represent(Var<T> input);

    /// <summary>Every task's output from a representation made by <see cref="Represent"/>; together the same as
    /// <see cref="IMultiTaskModel{T}.Forward(Var{T})"/> on the input.</summary>
    TaskOutputs<T> ForwardHeads(Var<T> representation);
}
