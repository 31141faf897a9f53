using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// A dense layer y = x·Wᵀ + b with W [out, in] and b [out], as PyTorch's nn.Linear, computed by one
/// fused op on the tape.
/// </summary>
public sealed class Linear<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the layer with weights drawn from <paramref name="random"/>.</summary>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="outFeatures">Output width.</param>
    /// <param name="random">The generator the weights are drawn from.</param>
    /// <param name="bias">Whether the layer has a bias (initialised as PyTorch's: U(−1/√in, 1/√in)).</param>
    /// <param name="initializer">How the weight is drawn.</param>
    public Linear(int inFeatures, int outFeatures, SeededRandom random, bool bias = true, Initializer initializer = Initializer.PyTorchDefault)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.Weight<T>(initializer, new Shape(outFeatures, inFeatures), inFeatures, outFeatures, random));
        Bias = bias ? RegisterParameter("bias", Init.Uniform<T>(new Shape(outFeatures), 1.0 / Math.Sqrt(inFeatures), random)) : null;
    }

    /// <summary>Input width.</summary>
    public int InFeatures { get; }

    /// <summary>Output width.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Var<T> Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Var<T>? Bias { get; }

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shape.Rank != 2 || input.Shape[1] != InFeatures)
        {
            throw ShapeError("the input", input.Shape, $"[batch, {InFeatures}]");
        }

        return Ops.Linear(input, Weight, Bias);
    }
}
