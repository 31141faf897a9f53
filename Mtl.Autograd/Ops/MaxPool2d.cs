using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D max pooling of x [N, C, H, W] over kh×kw windows moved by <paramref name="stride"/> (default:
    /// the kernel size, as PyTorch), no padding, floor mode: output [N, C, ⌊(H − kh)/sh⌋ + 1, ⌊(W − kw)/sw⌋ + 1].
    /// </summary>
    /// <exception cref="ArgumentException">x is not 4-D or is smaller than the window.</exception>
    public static Var<T> MaxPool2d<T>(Var<T> x, (int Height, int Width) kernel, (int Height, int Width) stride = default)
        where T : unmanaged, IFloatingPointIeee754<T> => MaxPool2dNode<T>.Forward(x, kernel, stride == default ? kernel : stride);
}

/// <summary>
/// y[n, c, oy, ox] = max of the window at (oy·sh, ox·sw); dx += dy at the window's first maximal element
/// in row-major order (ties go to the first, a NaN wins and propagates), 0 elsewhere. The argmax is
/// found again in backward from x and y rather than saved.
/// </summary>
internal sealed class MaxPool2dNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Conv2dGeometry _g;

    public override string OpName => "max_pool2d";

    public override string Detail => $"k={_g.KernelH}x{_g.KernelW} stride={_g.StrideH},{_g.StrideW}";

    public static Var<T> Forward(Var<T> x, (int Height, int Width) kernel, (int Height, int Width) stride)
    {
        var tape = Tape.ForOp("max_pool2d", x);
        if (x.Shape.Rank != 4)
        {
            throw new ArgumentException($"max_pool2d: input {x.Shape} is not [N, C, H, W].");
        }

        var g = Conv2dGeometry.Create(x.Shape, kernel.Height, kernel.Width, stride, (0, 0), "max_pool2d");
        int planes = x.Shape[0] * x.Shape[1], outH = g.OutH, outW = g.OutW;
        var y = tape.NewTensor<T>(new Shape(x.Shape[0], x.Shape[1], outH, outW));
        var xs = x.Value.ReadOnlySpan;
        var ys = y.Span;
        for (int p = 0; p < planes; p++)
        {
            var plane = xs.Slice(p * g.H * g.W, g.H * g.W);
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    ys[(((p * outH) + oy) * outW) + ox] = plane[ArgMax(g, plane, oy, ox)];
                }
            }
        }

        var node = NodePool<MaxPool2dNode<T>>.Rent();
        node.SetInput(x);
        node._g = g;
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is not { } gx)
        {
            return;
        }

        var g = _g;
        int planes = X.Shape[0] * X.Shape[1], outH = g.OutH, outW = g.OutW, size = g.H * g.W;
        var xs = X.Value.ReadOnlySpan;
        var dy = Dy.ReadOnlySpan;
        var dx = gx.Span;
        for (int p = 0; p < planes; p++)
        {
            var plane = xs.Slice(p * size, size);
            for (int oy = 0; oy < outH; oy++)
            {
                for (int ox = 0; ox < outW; ox++)
                {
                    dx[(p * size) + ArgMax(g, plane, oy, ox)] += dy[(((p * outH) + oy) * outW) + ox];
                }
            }
        }
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<MaxPool2dNode<T>>.Return(this);
    }

    /// <summary>Flat index in the plane of the window's first maximal element (or first NaN).</summary>
    private static int ArgMax(Conv2dGeometry g, ReadOnlySpan<T> plane, int oy, int ox)
    {
        int y0 = oy * g.StrideH, x0 = ox * g.StrideW;
        int best = (y0 * g.W) + x0;
        for (int i = 0; i < g.KernelH; i++)
        {
            for (int j = 0; j < g.KernelW; j++)
            {
                int at = ((y0 + i) * g.W) + x0 + j;
                if (T.IsNaN(plane[best]))
                {
                    return best;
                }

                if (plane[at] > plane[best] || T.IsNaN(plane[at]))
                {
                    best = at;
                }
            }
        }

        return best;
    }
}
