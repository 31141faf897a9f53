using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// The index arithmetic of a 2-D sliding window over one sample [C, H, W]: output size, and im2col /
/// col2im between the sample and its column matrix [C·kh·kw, OH·OW], where column (oy, ox) holds the
/// window whose top-left input pixel is (oy·strideH − padH, ox·strideW − padW) and row (c, i, j) its
/// element at offset (i, j) in channel c; positions in the zero padding read as 0.
/// </summary>
internal readonly record struct Conv2dGeometry(int Channels, int H, int W, int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>OH = ⌊(H + 2·padH − kh) / strideH⌋ + 1.</summary>
    public int OutH => ((H + (2 * PadH) - KernelH) / StrideH) + 1;

    /// <summary>OW = ⌊(W + 2·padW − kw) / strideW⌋ + 1.</summary>
    public int OutW => ((W + (2 * PadW) - KernelW) / StrideW) + 1;

    /// <summary>C·kh·kw, the length of one column.</summary>
    public int ColumnRows => Channels * KernelH * KernelW;

    /// <summary>C·H·W, the length of one sample.</summary>
    public int InputSize => Channels * H * W;

    /// <summary>The geometry of a window over input [N, C, H, W]; throws when the padded input is smaller than the window.</summary>
    public static Conv2dGeometry Create(Shape input, int kernelH, int kernelW, (int Height, int Width) stride, (int Height, int Width) padding, string op)
    {
        if (kernelH <= 0 || kernelW <= 0 || stride.Height <= 0 || stride.Width <= 0 || padding.Height < 0 || padding.Width < 0)
        {
            throw new ArgumentException($"{op}: kernel {kernelH}x{kernelW} and stride {stride.Height}x{stride.Width} must be positive and padding {padding.Height}x{padding.Width} non-negative.");
        }

        var g = new Conv2dGeometry(input[1], input[2], input[3], kernelH, kernelW, stride.Height, stride.Width, padding.Height, padding.Width);
        if (input[2] + (2 * padding.Height) < kernelH || input[3] + (2 * padding.Width) < kernelW)
        {
            throw new ArgumentException($"{op}: input {input} padded by {padding.Height}x{padding.Width} is smaller than the {kernelH}x{kernelW} window.");
        }

        return g;
    }

    /// <summary>col[(c·kh + i)·kw + j, oy·OW + ox] = x[c, oy·sh − ph + i, ox·sw − pw + j] (0 in the padding).</summary>
    public void Im2Col<T>(ReadOnlySpan<T> x, Span<T> col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outH = OutH, outW = OutW, area = outH * outW;
        for (int c = 0; c < Channels; c++)
        {
            for (int i = 0; i < KernelH; i++)
            {
                for (int j = 0; j < KernelW; j++)
                {
                    var row = col.Slice(((((c * KernelH) + i) * KernelW) + j) * area, area);
                    for (int oy = 0; oy < outH; oy++)
                    {
                        int iy = (oy * StrideH) - PadH + i;
                        var dst = row.Slice(oy * outW, outW);
                        if (iy < 0 || iy >= H)
                        {
                            dst.Clear();
                            continue;
                        }

                        var src = x.Slice(((c * H) + iy) * W, W);
                        if (StrideW == 1)
                        {
                            // ix = ox − pw + j: one contiguous run of the input row, zeros where it falls in the padding.
                            var (lo, hi) = ValidColumns(j);
                            dst[..lo].Clear();
                            src.Slice(lo - PadW + j, hi - lo).CopyTo(dst[lo..hi]);
                            dst[hi..].Clear();
                            continue;
                        }

                        for (int ox = 0; ox < outW; ox++)
                        {
                            int ix = (ox * StrideW) - PadW + j;
                            dst[ox] = ix >= 0 && ix < W ? src[ix] : T.Zero;
                        }
                    }
                }
            }
        }
    }

    /// <summary>With stride 1, the output columns [lo, hi) whose input column ox − pw + j lies inside the row.</summary>
    private (int Lo, int Hi) ValidColumns(int j)
    {
        int lo = Math.Clamp(PadW - j, 0, OutW), hi = Math.Clamp(W + PadW - j, lo, OutW);
        return (lo, hi);
    }

    /// <summary>The adjoint of <see cref="Im2Col{T}"/>: dx[c, iy, ix] += every column entry copied from it.</summary>
    public void Col2ImAdd<T>(ReadOnlySpan<T> col, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outH = OutH, outW = OutW, area = outH * outW;
        for (int c = 0; c < Channels; c++)
        {
            for (int i = 0; i < KernelH; i++)
            {
                for (int j = 0; j < KernelW; j++)
                {
                    var row = col.Slice(((((c * KernelH) + i) * KernelW) + j) * area, area);
                    for (int oy = 0; oy < outH; oy++)
                    {
                        int iy = (oy * StrideH) - PadH + i;
                        if (iy < 0 || iy >= H)
                        {
                            continue;
                        }

                        var src = row.Slice(oy * outW, outW);
                        var dst = dx.Slice(((c * H) + iy) * W, W);
                        if (StrideW == 1)
                        {
                            // The adjoint of the contiguous run above: each input pixel of the run gets one entry.
                            var (lo, hi) = ValidColumns(j);
                            var run = dst.Slice(lo - PadW + j, hi - lo);
                            TensorPrimitives.Add(run, src[lo..hi], run);
                            continue;
                        }

                        for (int ox = 0; ox < outW; ox++)
                        {
                            int ix = (ox * StrideW) - PadW + j;
                            if (ix >= 0 && ix < W)
                            {
                                dst[ix] += src[ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
