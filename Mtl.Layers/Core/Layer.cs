using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>A module with one input and one output, the unit <see cref="Sequential{T}"/> chains.</summary>
public abstract class Layer<T> : Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Computes the layer's output from recorded autograd ops.</summary>
    public abstract Var<T> Forward(Var<T> input);
}
