using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// A 2-D convolution over NCHW input (PyTorch's nn.Conv2d): weight [out, in, kh, kw], bias [out], zero
/// padding; y[n, o] = b[o] + Σ_c W[o, c] ⋆ x[n, c]. Computed by one op on the tape (im2col + GEMM).
/// </summary>
public sealed class Conv2d<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer with a square kernel, stride and padding.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, SeededRandom random, int stride = 1, int padding = 0, bool bias = true)
        : this(inChannels, outChannels, (kernelSize, kernelSize), random, (stride, stride), (padding, padding), bias)
    {
    }

    /// <summary>Creates the layer with PyTorch's default initialisation: weight and bias U(−1/√fan_in, 1/√fan_in), fan_in = in·kh·kw.</summary>
    /// <param name="inChannels">Input channels C.</param>
    /// <param name="outChannels">Output channels O.</param>
    /// <param name="kernelSize">Kernel height and width.</param>
    /// <param name="random">The generator the weights are drawn from.</param>
    /// <param name="stride">Step between windows, vertically and horizontally.</param>
    /// <param name="padding">Zero rows added above and below, and columns left and right.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    public Conv2d(int inChannels, int outChannels, (int Height, int Width) kernelSize, SeededRandom random, (int Height, int Width) stride, (int Height, int Width) padding, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        if (kernelSize.Height <= 0 || kernelSize.Width <= 0 || stride.Height <= 0 || stride.Width <= 0 || padding.Height < 0 || padding.Width < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"Conv2d: kernel {kernelSize} and stride {stride} must be positive and padding {padding} non-negative.");
        }

        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        int fanIn = inChannels * kernelSize.Height * kernelSize.Width;
        Weight = RegisterParameter("weight", Init.Weight<T>(Initializer.PyTorchDefault, new Shape(outChannels, inChannels, kernelSize.Height, kernelSize.Width), fanIn, outChannels * kernelSize.Height * kernelSize.Width, random));
        Bias = bias ? RegisterParameter("bias", Init.Uniform<T>(new Shape(outChannels), 1.0 / Math.Sqrt(fanIn), random)) : null;
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel height and width.</summary>
    public (int Height, int Width) KernelSize { get; }

    /// <summary>Stride, vertically and horizontally.</summary>
    public (int Height, int Width) Stride { get; }

    /// <summary>Zero padding, vertically and horizontally.</summary>
    public (int Height, int Width) Padding { get; }

    /// <summary>The weight [out, in, kh, kw].</summary>
    public Var<T> Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Var<T>? Bias { get; }

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = input.Shape;
        if (s.Rank != 4 || s[1] != InChannels
            || s[2] + (2 * Padding.Height) < KernelSize.Height || s[3] + (2 * Padding.Width) < KernelSize.Width)
        {
            throw ShapeError("the input", s, $"[batch, {InChannels}, H ≥ {Math.Max(1, KernelSize.Height - (2 * Padding.Height))}, W ≥ {Math.Max(1, KernelSize.Width - (2 * Padding.Width))}]");
        }

        return Ops.Conv2d(input, Weight, Bias, Stride, Padding);
    }
}
