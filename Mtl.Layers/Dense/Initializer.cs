using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>How a layer's weights are drawn.</summary>
public enum Initializer
{
    /// <summary>PyTorch's nn.Linear / nn.Conv2d default: kaiming_uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in).</summary>
    PyTorchDefault,

    /// <summary>Glorot/Xavier uniform: U(−√(6/(fan_in + fan_out)), +...) (Glorot &amp; Bengio 2010), for tanh and sigmoid.</summary>
    GlorotUniform,

    /// <summary>Glorot/Xavier normal: N(0, 2/(fan_in + fan_out)).</summary>
    GlorotNormal,

    /// <summary>He/Kaiming uniform: U(−√(6/fan_in), +...) (He et al. 2015), for ReLU.</summary>
    HeUniform,

    /// <summary>He/Kaiming normal: N(0, 2/fan_in).</summary>
    HeNormal,
}

/// <summary>Draws initial weights.</summary>
public static class Init
{
    /// <summary>A weight tensor of <paramref name="shape"/> drawn by <paramref name="initializer"/>.</summary>
    public static Tensor<T> Weight<T>(Initializer initializer, Shape shape, int fanIn, int fanOut, SeededRandom random)
        where T : unmanaged, IFloatingPointIeee754<T> => initializer switch
        {
            Initializer.PyTorchDefault => Uniform<T>(shape, 1.0 / Math.Sqrt(Math.Max(fanIn, 1)), random),
            Initializer.GlorotUniform => Uniform<T>(shape, Math.Sqrt(6.0 / Math.Max(fanIn + fanOut, 1)), random),
            Initializer.GlorotNormal => Tensor.RandomNormal<T>(random, shape, 0, Math.Sqrt(2.0 / Math.Max(fanIn + fanOut, 1))),
            Initializer.HeUniform => Uniform<T>(shape, Math.Sqrt(6.0 / Math.Max(fanIn, 1)), random),
            Initializer.HeNormal => Tensor.RandomNormal<T>(random, shape, 0, Math.Sqrt(2.0 / Math.Max(fanIn, 1))),
            _ => throw new ArgumentOutOfRangeException(nameof(initializer), initializer, "Unknown initializer."),
        };

    /// <summary>U(−bound, bound).</summary>
    public static Tensor<T> Uniform<T>(Shape shape, double bound, SeededRandom random)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.RandomUniform<T>(random, shape, -bound, bound);
}
