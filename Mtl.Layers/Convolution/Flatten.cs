using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>[N, d₁, d₂, ...] → [N, d₁·d₂·...] (PyTorch's nn.Flatten), e.g. between convolutions and a dense head.</summary>
public sealed class Flatten<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shape.Rank < 2)
        {
            throw ShapeError("the input", input.Shape, "[batch, ...] (rank ≥ 2)");
        }

        return input.Reshape(input.Shape[0], input.Shape.InnerSize(0));
    }
}
