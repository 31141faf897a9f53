using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// Inverted dropout as a layer (PyTorch's nn.Dropout): in training each element is zeroed with
/// probability p and survivors scaled by 1/(1 − p); in evaluation mode the identity. The masks are drawn
/// from the generator given at construction, so a run is reproducible from its seed.
/// </summary>
public sealed class Dropout<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SeededRandom _random;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Probability of zeroing an element, in [0, 1).</param>
    /// <param name="random">The generator the masks are drawn from.</param>
    public Dropout(double p, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(p >= 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), $"Dropout: p must be in [0, 1), got {p}.");
        }

        P = p;
        _random = random;
    }

    /// <summary>The drop probability.</summary>
    public double P { get; }

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Dropout(P, _random, IsTraining);
    }
}
