using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>Layers applied in order; children are named 0, 1, 2, ... as in PyTorch.</summary>
public sealed class Sequential<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Layer<T>> _layers = [];

    /// <summary>Creates the chain.</summary>
    public Sequential(params IEnumerable<Layer<T>> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer<T>> Layers => _layers;

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Layer<T> this[int index] => _layers[index];

    /// <summary>Appends a layer.</summary>
    public Sequential<T> Add(Layer<T> layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            x = layer.Forward(x);
        }

        return x;
    }

    /// <summary>Runs layers [<paramref name="from"/>, <paramref name="to"/>) only (hierarchical heads tap the trunk between them).</summary>
    public Var<T> Forward(Var<T> input, int from, int to)
    {
        var x = input;
        for (int i = from; i < to; i++)
        {
            x = _layers[i].Forward(x);
        }

        return x;
    }
}
