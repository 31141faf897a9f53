using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>max(x, 0) as a layer.</summary>
public sealed class ReLU<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input) => input.Relu();
}

/// <summary>Leaky ReLU as a layer (slope 0.01 by default, as PyTorch).</summary>
public sealed class LeakyReLU<T>(double slope = 0.01) : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The negative slope.</summary>
    public double Slope { get; } = slope;

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input) => input.LeakyRelu(Slope);
}

/// <summary>tanh as a layer.</summary>
public sealed class Tanh<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input) => input.Tanh();
}

/// <summary>The logistic sigmoid as a layer.</summary>
public sealed class Sigmoid<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input) => input.Sigmoid();
}

/// <summary>GELU as a layer (exact by default, or PyTorch's approximate='tanh').</summary>
public sealed class GELU<T>(bool tanhApproximation = false) : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the layer uses the tanh approximation rather than the exact x·Φ(x).</summary>
    public bool TanhApproximation { get; } = tanhApproximation;

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input) => input.Gelu(TanhApproximation);
}
