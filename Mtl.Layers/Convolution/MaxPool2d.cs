using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// 2-D max pooling over NCHW input (PyTorch's nn.MaxPool2d without padding, floor mode): each output is
/// the maximum of a kh×kw window; the gradient goes to the window's first maximal element.
/// </summary>
public sealed class MaxPool2d<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer with a square window; the stride defaults to the window size, as PyTorch.</summary>
    public MaxPool2d(int kernelSize, int? stride = null)
        : this((kernelSize, kernelSize), (stride ?? kernelSize, stride ?? kernelSize))
    {
    }

    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">Window height and width.</param>
    /// <param name="stride">Step between windows, vertically and horizontally.</param>
    public MaxPool2d((int Height, int Width) kernelSize, (int Height, int Width) stride)
    {
        if (kernelSize.Height <= 0 || kernelSize.Width <= 0 || stride.Height <= 0 || stride.Width <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"MaxPool2d: kernel {kernelSize} and stride {stride} must be positive.");
        }

        KernelSize = kernelSize;
        Stride = stride;
    }

    /// <summary>Window height and width.</summary>
    public (int Height, int Width) KernelSize { get; }

    /// <summary>Stride, vertically and horizontally.</summary>
    public (int Height, int Width) Stride { get; }

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var s = input.Shape;
        if (s.Rank != 4 || s[2] < KernelSize.Height || s[3] < KernelSize.Width)
        {
            throw ShapeError("the input", s, $"[batch, channels, H ≥ {KernelSize.Height}, W ≥ {KernelSize.Width}]");
        }

        return Ops.MaxPool2d(input, KernelSize, Stride);
    }
}
