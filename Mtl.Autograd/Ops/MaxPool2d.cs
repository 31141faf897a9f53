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
        int planes = x.Shape[0] * x.Shape[1];
        var y = tape.NewTensor<T>(new Shape(x.Shape[0], x.Shape[1], g.OutH, g.OutW));

        // Planes are independent: split across threads by plane, so the result cannot depend on the split.
        MtlParallel.For(planes, new Pool(g, x.Value, y, null, null), cost: (long)planes * g.H * g.W, align: 1);
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

        int planes = X.Shape[0] * X.Shape[1];
        MtlParallel.For(planes, new Pool(_g, X.Value, null, Dy, gx), cost: (long)planes * _g.H * _g.W, align: 1);
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<MaxPool2dNode<T>>.Return(this);
    }

    /// <summary>
    /// Planes [start, end): forward (y = the window maxima) when <paramref name="y"/> is given, else backward
    /// (dx[argmax] += dy). Each window's argmax is its first maximal element in row-major order, or its first
    /// NaN; the common 2×2 window with stride 2 has its own loop.
    /// </summary>
    private readonly struct Pool(Conv2dGeometry g, Tensor<T> x, Tensor<T>? y, Tensor<T>? dy, Tensor<T>? dx) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int h = g.H, w = g.W, outH = g.OutH, outW = g.OutW, size = h * w, outSize = outH * outW;
            bool pairs = g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2;
            var xs = x.ReadOnlySpan;
            var ys = y is null ? default : y.Span;
            var dys = dy is null ? default : dy.ReadOnlySpan;
            var dxs = dx is null ? default : dx.Span;
            for (int p = start; p < end; p++)
            {
                var plane = xs.Slice(p * size, size);
                for (int oy = 0; oy < outH; oy++)
                {
                    int row = (p * outSize) + (oy * outW);
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int at = pairs ? ArgMax2x2(plane, (2 * oy * w) + (2 * ox), w) : ArgMax(g, plane, oy, ox);
                        if (y is not null)
                        {
                            ys[row + ox] = plane[at];
                        }
                        else
                        {
                            dxs[(p * size) + at] += dys[row + ox];
                        }
                    }
                }
            }
        }
    }

    /// <summary>The 2×2 window at <paramref name="corner"/>: the first maximal element in the order (0,0), (0,1),
    /// (1,0), (1,1), or the first NaN — the same choice as <see cref="ArgMax"/>.</summary>
    private static int ArgMax2x2(ReadOnlySpan<T> plane, int corner, int width)
    {
        int best = corner;
        T b = plane[corner];
        if (T.IsNaN(b))
        {
            return best;
        }

        int second = corner + 1, third = corner + width, fourth = corner + width + 1;
        T v = plane[second];
        if (v > b || T.IsNaN(v))
        {
            if (T.IsNaN(v))
            {
                return second;
            }

            best = second;
            b = v;
        }

        v = plane[third];
        if (v > b || T.IsNaN(v))
        {
            if (T.IsNaN(v))
            {
                return third;
            }

            best = third;
            b = v;
        }

        v = plane[fourth];
        return v > b || T.IsNaN(v) ? fourth : best;
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
