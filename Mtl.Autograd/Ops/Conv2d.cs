using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as PyTorch's F.conv2d) of x [N, C, H, W] with weight
    /// [O, C, kh, kw] and an optional bias [O]; zero padding, output [N, O, OH, OW] with
    /// OH = ⌊(H + 2·padH − kh) / strideH⌋ + 1 (likewise OW).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit, or the padded input is smaller than the kernel.</exception>
    public static Var<T> Conv2d<T>(Var<T> x, Var<T> weight, Var<T>? bias = null, (int Height, int Width) stride = default, (int Height, int Width) padding = default)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Conv2dNode<T>.Forward(x, weight, bias, stride == default ? (1, 1) : stride, padding);
}

/// <summary>
/// y[n] = W·col(x[n]) + b, where col (im2col) lays each receptive field out as a column
/// [C·kh·kw, OH·OW] and W is viewed as [O, C·kh·kw]. Backward per sample, with G = dy[n] [O, OH·OW]:
/// dW += G·colᵀ, db += Σ_columns G, dx[n] += col2im(Wᵀ·G) (col2im adds every column entry back onto the
/// input pixel it was copied from, so overlapping windows accumulate). Samples run in parallel; the
/// per-sample weight gradients are summed in sample order, so the result is the same for any thread count.
/// </summary>
internal sealed class Conv2dNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Var<T> _x = null!;
    private Var<T> _w = null!;
    private Var<T>? _b;
    private Conv2dGeometry _g;
    private Tensor<T> _columns = null!;

    public override string OpName => "conv2d";

    public override string Detail => $"k={_g.KernelH}x{_g.KernelW} stride={_g.StrideH},{_g.StrideW} pad={_g.PadH},{_g.PadW}";

    protected override IEnumerable<Var<T>> TypedInputs => _b is null ? [_x, _w] : [_x, _w, _b];

    public static Var<T> Forward(Var<T> x, Var<T> w, Var<T>? b, (int Height, int Width) stride, (int Height, int Width) padding)
    {
        var tape = Tape.ForOp("conv2d", x, w);
        b?.CheckUsable("conv2d", tape);
        if (x.Shape.Rank != 4 || w.Shape.Rank != 4 || x.Shape[1] != w.Shape[1])
        {
            throw new ArgumentException($"conv2d: input {x.Shape} and weight {w.Shape} do not fit (expected input [N, C, H, W] and weight [O, C, kh, kw]).");
        }

        int outC = w.Shape[0];
        if (b is not null && (b.Shape.Rank != 1 || b.Shape[0] != outC))
        {
            throw new ArgumentException($"conv2d: bias {b.Shape} does not match weight {w.Shape} (expected [{outC}]).");
        }

        var g = Conv2dGeometry.Create(x.Shape, w.Shape[2], w.Shape[3], stride, padding, "conv2d");
        int n = x.Shape[0], rows = g.ColumnRows, cols = g.OutH * g.OutW;
        // The column matrix is kept for backward while recording; under NoGrad (evaluation) it is only scratch,
        // leased and returned here, so that inference does not allocate it anew on every call.
        bool recording = tape.IsRecording;
        var colBuffer = recording ? tape.NewTensor<T>(new Shape(n, rows, cols)) : TensorPool<T>.Lease(new Shape(n, rows, cols), clear: false);
        var y = tape.NewTensor<T>(new Shape(n, outC, g.OutH, g.OutW));

        // Samples are independent: split across threads by sample (each im2col and GEMM is one sample's), so the
        // result cannot depend on the thread count.
        MtlParallel.For(n, new ForwardSamples(g, x.Value, w.Value, b?.Value, colBuffer, y), cost: (long)n * outC * rows * cols, align: 1);

        if (!recording)
        {
            TensorPool<T>.Return(colBuffer);
            colBuffer = null!;
        }

        bool grad = x.RequiresGrad || w.RequiresGrad || (b?.RequiresGrad ?? false);
        var node = NodePool<Conv2dNode<T>>.Rent();
        (node._x, node._w, node._b, node._g, node._columns) = (x, w, b, g, colBuffer);
        return tape.Record(node, y, grad);
    }

    internal override void Backward()
    {
        var (x, w, b, g, columns) = (_x, _w, _b, _g, _columns);
        int n = x.Shape[0], outC = w.Shape[0], rows = g.ColumnRows, cols = g.OutH * g.OutW;
        var gx = x.GradSink();
        var gw = w.GradSink();
        var gb = b?.GradSink();

        // Per sample, in parallel: its weight gradient G·colᵀ into its own slot, and its input gradient
        // col2im(Wᵀ·G) into its own part of dx. The slots are then added to dW in sample order, so dW is the
        // same for any thread count.
        var partial = gw is null ? null : TensorPool<T>.Lease(new Shape(n, outC * rows), clear: false);
        var dcol = gx is null ? null : TensorPool<T>.Lease(new Shape(n, rows * cols), clear: false);
        MtlParallel.For(n, new BackwardSamples(g, w.Value, Dy, columns, partial, dcol, gx), cost: (long)n * outC * rows * cols * 2, align: 1);
        if (partial is not null)
        {
            // Each slot holds its sample's dWᵀ [rows, O]; added into dW [O, rows] in sample order.
            var sum = gw!.Span;
            var parts = partial.ReadOnlySpan;
            for (int s = 0; s < n; s++)
            {
                var part = parts.Slice(s * outC * rows, outC * rows);
                for (int r = 0; r < rows; r++)
                {
                    for (int o = 0; o < outC; o++)
                    {
                        sum[(o * rows) + r] += part[(r * outC) + o];
                    }
                }
            }

            TensorPool<T>.Return(partial);
        }

        if (gb is not null)
        {
            var dy = Dy.ReadOnlySpan;
            var d = gb.Span;
            for (int s = 0; s < n; s++)
            {
                for (int o = 0; o < outC; o++)
                {
                    d[o] += TensorPrimitives.Sum(dy.Slice(((s * outC) + o) * cols, cols));
                }
            }
        }

        if (dcol is not null)
        {
            TensorPool<T>.Return(dcol);
        }
    }

    /// <summary>Samples [start, end) of the forward pass: im2col, y = bias, y += W·col.</summary>
    private readonly struct ForwardSamples(Conv2dGeometry g, Tensor<T> x, Tensor<T> w, Tensor<T>? bias, Tensor<T> columns, Tensor<T> y) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int outC = w.Shape[0], rows = g.ColumnRows, cols = g.OutH * g.OutW;
            var xs = x.ReadOnlySpan;
            var ws = w.ReadOnlySpan;
            var ys = y.Span;
            var all = columns.Span;
            for (int s = start; s < end; s++)
            {
                var col = all.Slice(s * rows * cols, rows * cols);
                g.Im2Col(xs.Slice(s * g.InputSize, g.InputSize), col);
                var ysample = ys.Slice(s * outC * cols, outC * cols);
                if (bias is null)
                {
                    ysample.Clear();
                }
                else
                {
                    var bs = bias.ReadOnlySpan;
                    for (int o = 0; o < outC; o++)
                    {
                        ysample.Slice(o * cols, cols).Fill(bs[o]);
                    }
                }

                Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, outC, cols, rows, ws, col, ysample, accumulate: true);
            }
        }
    }

    /// <summary>Column rows (C·kh·kw) up to which a sample's weight gradient is computed as dot products.</summary>
    private const int DotRows = 32;

    /// <summary>Samples [start, end) of the backward pass: the sample's (G·colᵀ)ᵀ into its slot of
    /// <paramref name="partial"/>, and dx[s] += col2im(Wᵀ·G) through its slot of <paramref name="dcol"/>.</summary>
    private readonly struct BackwardSamples(Conv2dGeometry g, Tensor<T> w, Tensor<T> dy, Tensor<T> columns, Tensor<T>? partial, Tensor<T>? dcol, Tensor<T>? dx) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int outC = w.Shape[0], rows = g.ColumnRows, cols = g.OutH * g.OutW;
            var dys = dy.ReadOnlySpan;
            var cs = columns.ReadOnlySpan;
            for (int s = start; s < end; s++)
            {
                var gs = dys.Slice(s * outC * cols, outC * cols);
                if (partial is not null)
                {
                    var col = cs.Slice(s * rows * cols, rows * cols);
                    var slot = partial.Span.Slice(s * outC * rows, outC * rows);
                    if (rows <= DotRows)
                    {
                        // Few column rows (a first layer on 1-3 channels: 9-27): O·rows dot products of two contiguous
                        // rows of length OH·OW, faster than a GEMM whose output is that narrow.
                        for (int o = 0; o < outC; o++)
                        {
                            var gRow = gs.Slice(o * cols, cols);
                            for (int r = 0; r < rows; r++)
                            {
                                slot[(r * outC) + o] = TensorPrimitives.Dot(gRow, col.Slice(r * cols, cols));
                            }
                        }
                    }
                    else
                    {
                        // dWᵀ = col·Gᵀ [rows, O]: the same products, and a faster GEMM shape than G·colᵀ [O, rows].
                        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, outC, cols, col, gs, slot, accumulate: false);
                    }
                }

                if (dcol is not null)
                {
                    var d = dcol.Span.Slice(s * rows * cols, rows * cols);
                    Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, rows, cols, outC, w.ReadOnlySpan, gs, d, accumulate: false);
                    g.Col2ImAdd(d, dx!.Span.Slice(s * g.InputSize, g.InputSize));
                }
            }
        }
    }

    private protected override void Release()
    {
        (_x, _w, _b, _columns) = (null!, null!, null, null!);
        NodePool<Conv2dNode<T>>.Return(this);
    }
}
