using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// Layer normalisation over the last axis (Ba et al. 2016; PyTorch's nn.LayerNorm with one normalised
/// dimension): y = (x − μ) / √(σ² + ε) · weight + bias, with μ and the biased σ² taken over the last axis
/// of each row. Composed from autograd primitives, so its backward is theirs.
/// </summary>
public sealed class LayerNorm<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the layer with weight 1 and bias 0.</summary>
    /// <param name="normalizedSize">Size of the last axis.</param>
    /// <param name="eps">ε added to the variance (PyTorch's default 1e-5).</param>
    public LayerNorm(int normalizedSize, double eps = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(normalizedSize);
        ArgumentOutOfRangeException.ThrowIfNegative(eps);
        NormalizedSize = normalizedSize;
        Eps = eps;
        Weight = RegisterParameter("weight", Tensor.Ones<T>(normalizedSize));
        Bias = RegisterParameter("bias", Tensor.Zeros<T>(normalizedSize));
    }

    /// <summary>Size of the normalised (last) axis.</summary>
    public int NormalizedSize { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The scale γ [size].</summary>
    public Var<T> Weight { get; }

    /// <summary>The shift β [size].</summary>
    public Var<T> Bias { get; }

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shape.Rank == 0 || input.Shape[-1] != NormalizedSize)
        {
            throw ShapeError("the input", input.Shape, $"[..., {NormalizedSize}]");
        }

        var centred = input - input.Mean(-1, keepDim: true);
        var variance = centred.Square().Mean(-1, keepDim: true);
        var inverseStd = (variance + T.CreateTruncating(Eps)).Sqrt().Reciprocal();
        return (centred * inverseStd * Weight) + Bias;
    }
}
