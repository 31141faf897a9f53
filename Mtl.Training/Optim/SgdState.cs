using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>SGD's per-parameter state: the momentum buffer b (when μ &gt; 0) and a work buffer.</summary>
public sealed class SgdState<T> : ParameterState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly string[] _withMomentum = ["momentum_buffer"];

    internal SgdState(Shape shape, SgdOptions options)
    {
        MomentumBuffer = options.Momentum != 0 ? new Tensor<T>(shape) : null;
        Scratch = options.WeightDecay != 0 || options.Nesterov ? new Tensor<T>(shape) : null;
    }

    /// <summary>The momentum buffer b, or null without momentum. On the first step b = g (a copy).</summary>
    public Tensor<T>? MomentumBuffer { get; }

    /// <summary>Holds g + λ·p and the Nesterov direction; not part of the saved state.</summary>
    internal Tensor<T>? Scratch { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> TensorNames => MomentumBuffer is null ? [] : _withMomentum;

    /// <inheritdoc />
    public override Tensor<T> GetTensor(int index) =>
        index == 0 && MomentumBuffer is not null ? MomentumBuffer : throw new ArgumentOutOfRangeException(nameof(index));
}
