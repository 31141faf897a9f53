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

    /// <summary>Stride 1 and an output as wide as the input (a "same" padding): a column row is then the input channel
    /// shifted by a whole number of elements, so im2col and col2im work on whole blocks (see <see cref="Shift"/>).</summary>
    private bool SameWidth => StrideH == 1 && StrideW == 1 && OutW == W;

    /// <summary>col[(c·kh + i)·kw + j, oy·OW + ox] = x[c, oy·sh − ph + i, ox·sw − pw + j] (0 in the padding).</summary>
    public void Im2Col<T>(ReadOnlySpan<T> x, Span<T> col)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outH = OutH, outW = OutW, area = outH * outW;
        if (SameWidth)
        {
            for (int r = 0; r < ColumnRows; r++)
            {
                var row = col.Slice(r * area, area);
                var (rows, start, count, source) = Shift(r);
                row[..(rows.Lo * W)].Clear();
                x.Slice(source, count).CopyTo(row.Slice((rows.Lo * W) + start, count));
                ZeroPaddingColumns(row, r, rows);
                row[(rows.Hi * W)..].Clear();
            }

            return;
        }

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

    /// <summary>
    /// For column row r = (c, i, j) of a <see cref="SameWidth"/> geometry: the output rows [Lo, Hi) that read inside the
    /// input, and the one contiguous copy that fills them, x[source, source + count) into the row from element
    /// Lo·W + start. Output (oy, ox) reads x[c, oy + i − ph, ox + j − pw], so the valid rows of the column row are the
    /// input block shifted by s = (i − ph)·W + (j − pw) elements; the few elements of that copy that fall in a padding
    /// column (|j − pw| per row) read a neighbouring row's pixel and are zeroed afterwards, and the copy is clipped to
    /// the channel (where it would start before or end after it, it only covers padding columns).
    /// </summary>
    private ((int Lo, int Hi) Rows, int Start, int Count, int Source) Shift(int r)
    {
        int j = r % KernelW, i = r / KernelW % KernelH, c = r / (KernelW * KernelH);
        int dy = i - PadH, dx = j - PadW;
        int lo = Math.Clamp(-dy, 0, OutH), hi = Math.Clamp(H - dy, lo, OutH);
        int source = (((c * H) + lo + dy) * W) + dx, count = (hi - lo) * W;
        int front = Math.Max(0, (c * H * W) - source);
        int back = Math.Max(0, source + count - ((c + 1) * H * W));
        return ((lo, hi), front, Math.Max(0, count - front - back), source + front);
    }

    /// <summary>Zeroes, in the output rows [Lo, Hi) of column row r, the columns whose input column is in the padding.</summary>
    private void ZeroPaddingColumns<T>(Span<T> row, int r, (int Lo, int Hi) rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lo, hi) = ValidColumns(r % KernelW);
        if (lo == 0 && hi == OutW)
        {
            return;
        }

        for (int oy = rows.Lo; oy < rows.Hi; oy++)
        {
            var line = row.Slice(oy * W, W);
            line[..lo].Clear();
            line[hi..].Clear();
        }
    }

    /// <summary>With stride 1, the output columns [lo, hi) whose input column ox − pw + j lies inside the row.</summary>
    private (int Lo, int Hi) ValidColumns(int j)
    {
        int lo = Math.Clamp(PadW - j, 0, OutW), hi = Math.Clamp(W + PadW - j, lo, OutW);
        return (lo, hi);
    }

    /// <summary>
    /// The adjoint of <see cref="Im2Col{T}"/>: dx[c, iy, ix] += every column entry copied from it. With a
    /// <see cref="SameWidth"/> geometry each column row is added as one block (the shifted copy read backwards);
    /// its entries in padding columns, which belong to no pixel, are zeroed first so that the block adds 0 where
    /// they land: <paramref name="col"/> is scratch and is changed. Each pixel still gets its entries in the same
    /// order, so the result is the row-by-row one.
    /// </summary>
    public void Col2ImAdd<T>(Span<T> col, Span<T> dx)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int outH = OutH, outW = OutW, area = outH * outW;
        if (SameWidth)
        {
            for (int r = 0; r < ColumnRows; r++)
            {
                var row = col.Slice(r * area, area);
                var (rows, start, count, source) = Shift(r);
                ZeroPaddingColumns(row, r, rows);
                var run = dx.Slice(source, count);
                TensorPrimitives.Add(run, row.Slice((rows.Lo * W) + start, count), run);
            }

            return;
        }

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
