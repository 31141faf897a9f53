using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>
/// An optimizer's state for one parameter, created on the parameter's first update. The tensors have
/// the parameter's shape and are allocated once; <see cref="TensorNames"/> names them for checkpoints
/// (<c>exp_avg</c>, <c>momentum_buffer</c>, … as in PyTorch's state_dict).
/// </summary>
public abstract class ParameterState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>How many updates this parameter has received.</summary>
    public long Step { get; internal set; }

    /// <summary>Names of the saved state tensors, in the order of <see cref="GetTensor"/>.</summary>
    public abstract IReadOnlyList<string> TensorNames { get; }

    /// <summary>The saved state tensor at <paramref name="index"/> of <see cref="TensorNames"/>.</summary>
    public abstract Tensor<T> GetTensor(int index);
}
