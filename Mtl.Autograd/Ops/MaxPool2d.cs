using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// in row-major order (ties go to the first, a NaN wins and propagates), 0 elsewhere. The forward pass saves
/// each window's argmax (its offset in the window, kept as a T on the tape), so backward is a plain scatter.
/// </summary>
internal sealed class MaxPool2dNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Conv2dGeometry _g;
    private Tensor<T> _argmax = null!;

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
        var shape = new Shape(x.Shape[0], x.Shape[1], g.OutH, g.OutW);
        var y = tape.NewTensor<T>(shape);
        // The argmax is kept for backward while recording; under NoGrad it is scratch, leased and returned.
        bool recording = tape.IsRecording;
        var argmax = recording ? tape.NewTensor<T>(shape) : TensorPool<T>.Lease(shape, clear: false);

        // Planes are independent: split across threads by plane, so the result cannot depend on the split.
        MtlParallel.For(planes, new PoolForward(g, x.Value, y, argmax), cost: (long)planes * g.H * g.W, align: 1);
        if (!recording)
        {
            TensorPool<T>.Return(argmax);
            argmax = null!;
        }

        var node = NodePool<MaxPool2dNode<T>>.Rent();
        node.SetInput(x);
        node._g = g;
        node._argmax = argmax;
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        // A fresh sink (the usual case: the pooled value's gradient, touched first here) is written whole, with
        // no clearing pass before the scatter; one that already holds gradient is added to.
        if (X.GradSinkForOverwrite(out bool fresh) is not { } gx)
        {
            return;
        }

        int planes = X.Shape[0] * X.Shape[1];
        MtlParallel.For(planes, new PoolBackward(_g, _argmax, Dy, gx, overwrite: fresh), cost: (long)planes * _g.H * _g.W, align: 1);
    }

    private protected override void Release()
    {
        ClearInput();
        _argmax = null!;
        NodePool<MaxPool2dNode<T>>.Return(this);
    }

    /// <summary>Planes [start, end): y = the window maxima, argmax = each maximum's offset i·kw + j in its window.</summary>
    private readonly struct PoolForward(Conv2dGeometry g, Tensor<T> x, Tensor<T> y, Tensor<T> argmax) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int h = g.H, w = g.W, outH = g.OutH, outW = g.OutW, size = h * w, outSize = outH * outW;
            var xs = x.ReadOnlySpan;
            var ys = y.Span;
            var ids = argmax.Span;
            bool pairs = typeof(T) == typeof(float) && g.KernelH == 2 && g.KernelW == 2 && g.StrideH == 2 && g.StrideW == 2;
            for (int p = start; p < end; p++)
            {
                var plane = xs.Slice(p * size, size);
                for (int oy = 0; oy < outH; oy++)
                {
                    int row = (p * outSize) + (oy * outW);
                    if (pairs)
                    {
                        Pairs(MemoryMarshal.Cast<T, float>(plane), 2 * oy * w, w, outW, MemoryMarshal.Cast<T, float>(ys.Slice(row, outW)), ids.Slice(row, outW));
                        continue;
                    }

                    for (int ox = 0; ox < outW; ox++)
                    {
                        int offset = ArgMax(g, plane, oy, ox);
                        int y0 = oy * g.StrideH, x0 = ox * g.StrideW;
                        ys[row + ox] = plane[((y0 + (offset / g.KernelW)) * w) + x0 + (offset % g.KernelW)];
                        ids[row + ox] = T.CreateTruncating(offset);
                    }
                }
            }
        }
    }

    /// <summary>Planes [start, end): dx[window origin + saved offset] += dy, or, with <paramref name="overwrite"/>,
    /// dx = that scatter onto zeros.</summary>
    private readonly struct PoolBackward(Conv2dGeometry g, Tensor<T> argmax, Tensor<T> dy, Tensor<T> dx, bool overwrite) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int w = g.W, kw = g.KernelW, outH = g.OutH, outW = g.OutW, size = g.H * w, outSize = outH * outW;
            var ids = argmax.ReadOnlySpan;
            var dys = dy.ReadOnlySpan;
            var dxs = dx.Span;
            bool pairs = overwrite && typeof(T) == typeof(float) && g.KernelH == 2 && kw == 2 && g.StrideH == 2 && g.StrideW == 2;
            for (int p = start; p < end; p++)
            {
                var plane = dxs.Slice(p * size, size);
                if (pairs)
                {
                    UnpoolPlane(MemoryMarshal.Cast<T, float>(dys.Slice(p * outSize, outSize)), MemoryMarshal.Cast<T, float>(ids.Slice(p * outSize, outSize)), MemoryMarshal.Cast<T, float>(plane), g);
                    continue;
                }

                if (overwrite)
                {
                    plane.Clear();
                }

                for (int oy = 0; oy < outH; oy++)
                {
                    int row = (p * outSize) + (oy * outW), y0 = oy * g.StrideH;
                    if (kw == 2)
                    {
                        // The common 2-wide window: the offset's row and column by shift and mask, not a division.
                        for (int ox = 0; ox < outW; ox++)
                        {
                            int offset = int.CreateTruncating(ids[row + ox]);
                            plane[((y0 + (offset >> 1)) * w) + (ox * g.StrideW) + (offset & 1)] += dys[row + ox];
                        }

                        continue;
                    }

                    for (int ox = 0; ox < outW; ox++)
                    {
                        int offset = int.CreateTruncating(ids[row + ox]);
                        plane[((y0 + (offset / kw)) * w) + (ox * g.StrideW) + (offset % kw)] += dys[row + ox];
                    }
                }
            }
        }
    }

    /// <summary>
    /// One output row of a 2×2, stride-2 float pool, without branches on the data (activations make the
    /// comparisons unpredictable, and a mispredicted branch per comparison cost more than the rest of the pass).
    /// Each candidate gets an integer key that orders like the float, with −0 equal to +0 and every NaN above
    /// everything; the key is shifted left by 2 and the low bits hold 3 − offset, so the largest packed key is
    /// the first maximal element, or the first NaN: the same choice as <see cref="ArgMax"/>.
    /// </summary>
    private static void Pairs(ReadOnlySpan<float> plane, int top, int width, int outW, Span<float> y, Span<T> ids)
    {
        var upper = plane.Slice(top, 2 * outW);
        var lower = plane.Slice(top + width, 2 * outW);
        int ox = Vector256.IsHardwareAccelerated ? PairsVector256(upper, lower, outW, y, MemoryMarshal.Cast<T, float>(ids)) : 0;
        for (; ox < outW; ox++)
        {
            long k0 = Key(upper[2 * ox], 3), k1 = Key(upper[(2 * ox) + 1], 2);
            long k2 = Key(lower[2 * ox], 1), k3 = Key(lower[(2 * ox) + 1], 0);
            long best = Max(Max(k0, k1), Max(k2, k3));
            int offset = 3 - (int)(best & 3);
            y[ox] = plane[top + (2 * ox) + ((offset >> 1) * width) + (offset & 1)];
            ids[ox] = T.CreateTruncating(offset);
        }
    }

    /// <summary>
    /// Eight windows at a time: the four candidates of each window de-interleaved from two rows into four vectors,
    /// then a running maximum by selects (take a candidate when it is larger, or NaN while the maximum is not), so
    /// each window keeps its first maximum or first NaN, as the scalar rule. A row whose width is not a multiple of
    /// 8 ends with the last 8 windows, overlapping the ones before (they are written again with the same values):
    /// a scalar tail of up to 7 windows cost more than the vectors (half of a 14-wide row). Returns the windows done.
    /// </summary>
    private static int PairsVector256(ReadOnlySpan<float> upper, ReadOnlySpan<float> lower, int outW, Span<float> y, Span<float> ids)
    {
        if (outW < 8)
        {
            return 0;
        }

        var order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
        for (int ox = 0; ; ox += 8)
        {
            ox = Math.Min(ox, outW - 8);
            var (u0, u1) = Deinterleave(Vector256.Create(upper.Slice(2 * ox, 8)), Vector256.Create(upper.Slice((2 * ox) + 8, 8)), order);
            var (l0, l1) = Deinterleave(Vector256.Create(lower.Slice(2 * ox, 8)), Vector256.Create(lower.Slice((2 * ox) + 8, 8)), order);
            var best = u0;
            var at = Vector256<int>.Zero;
            Take(u1, 1, ref best, ref at);
            Take(l0, 2, ref best, ref at);
            Take(l1, 3, ref best, ref at);
            best.CopyTo(y.Slice(ox, 8));
            Vector256.ConvertToSingle(at).CopyTo(ids.Slice(ox, 8));
            if (ox + 8 == outW)
            {
                return outW;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static (Vector256<float> Even, Vector256<float> Odd) Deinterleave(Vector256<float> a, Vector256<float> b, Vector256<int> order)
        {
            var sa = Vector256.Shuffle(a, order);
            var sb = Vector256.Shuffle(b, order);
            return (Vector256.Create(sa.GetLower(), sb.GetLower()), Vector256.Create(sa.GetUpper(), sb.GetUpper()));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Take(Vector256<float> v, int offset, ref Vector256<float> best, ref Vector256<int> at)
        {
            var vNaN = ~Vector256.Equals(v, v);
            var bestNaN = ~Vector256.Equals(best, best);
            var take = Vector256.GreaterThan(v, best) | (vNaN & ~bestNaN);
            best = Vector256.ConditionalSelect(take, v, best);
            at = Vector256.ConditionalSelect(take.AsInt32(), Vector256.Create(offset), at);
        }
    }

    /// <summary>
    /// One plane's gradient of a 2×2, stride-2 float pool, written whole: each window's four entries are dy at its
    /// saved offset and 0 elsewhere, so no clearing pass is needed; rows and columns no window covers (an odd
    /// height or width) are zeroed. Eight windows at a time: dy and the offsets are duplicated into pairs and
    /// compared with the column pattern 0,1,0,1,… (upper row) and 2,3,2,3,… (lower row).
    /// </summary>
    private static void UnpoolPlane(ReadOnlySpan<float> dy, ReadOnlySpan<float> ids, Span<float> plane, Conv2dGeometry g)
    {
        int w = g.W, outH = g.OutH, outW = g.OutW;
        for (int oy = 0; oy < outH; oy++)
        {
            var d = dy.Slice(oy * outW, outW);
            var at = ids.Slice(oy * outW, outW);
            var upper = plane.Slice(2 * oy * w, w);
            var lower = plane.Slice(((2 * oy) + 1) * w, w);
            int ox = Vector256.IsHardwareAccelerated && outW >= 8 ? UnpoolVector256(d, at, upper, lower) : 0;
            for (; ox < outW; ox++)
            {
                // dy + 0, as a scatter onto zeros gives: −0 becomes +0.
                int offset = (int)at[ox];
                float v = d[ox] + 0f;
                upper[2 * ox] = offset == 0 ? v : 0f;
                upper[(2 * ox) + 1] = offset == 1 ? v : 0f;
                lower[2 * ox] = offset == 2 ? v : 0f;
                lower[(2 * ox) + 1] = offset == 3 ? v : 0f;
            }

            upper[(2 * outW)..].Clear();
            lower[(2 * outW)..].Clear();
        }

        plane[(2 * outH * w)..].Clear();
    }

    /// <summary>All <paramref name="d"/>.Length (≥ 8) windows of one output row, the last 8 overlapping the ones before
    /// when the width is not a multiple of 8 (written again with the same values). Returns the windows done.</summary>
    private static int UnpoolVector256(ReadOnlySpan<float> d, ReadOnlySpan<float> at, Span<float> upper, Span<float> lower)
    {
        int outW = d.Length;
        var first = Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3);
        var second = Vector256.Create(4, 4, 5, 5, 6, 6, 7, 7);
        var top = Vector256.Create(0, 1, 0, 1, 0, 1, 0, 1);
        var bottom = top + Vector256.Create(2);
        for (int ox = 0; ; ox += 8)
        {
            ox = Math.Min(ox, outW - 8);
            var dv = Vector256.Create(d.Slice(ox, 8)) + Vector256<float>.Zero;
            var av = Vector256.ConvertToInt32(Vector256.Create(at.Slice(ox, 8)));
            var d0 = Vector256.Shuffle(dv, first);
            var d1 = Vector256.Shuffle(dv, second);
            var a0 = Vector256.Shuffle(av, first);
            var a1 = Vector256.Shuffle(av, second);
            (d0 & Vector256.Equals(a0, top).AsSingle()).CopyTo(upper.Slice(2 * ox, 8));
            (d1 & Vector256.Equals(a1, top).AsSingle()).CopyTo(upper.Slice((2 * ox) + 8, 8));
            (d0 & Vector256.Equals(a0, bottom).AsSingle()).CopyTo(lower.Slice(2 * ox, 8));
            (d1 & Vector256.Equals(a1, bottom).AsSingle()).CopyTo(lower.Slice((2 * ox) + 8, 8));
            if (ox + 8 == outW)
            {
                return outW;
            }
        }
    }

    /// <summary>max(a, b) by arithmetic, not a branch (the keys are far from overflowing a long).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Max(long a, long b)
    {
        long d = a - b;
        return a - (d & (d >> 63));
    }

    /// <summary>The packed key of <paramref name="v"/>: its order-preserving integer (−0 as +0, NaN as the maximum)
    /// shifted left by 2, with <paramref name="rank"/> (3 − offset) in the low bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Key(float v, int rank)
    {
        int bits = BitConverter.SingleToInt32Bits(v);
        int magnitude = bits & int.MaxValue;
        int ordered = bits ^ ((bits >> 31) & int.MaxValue);   // negative floats: flip the magnitude, so the int order is the float order
        int zero = (magnitude - 1) >> 31;                       // −1 for ±0
        int nan = (0x7F800000 - magnitude) >> 31;               // −1 for NaN
        ordered = (ordered & ~zero & ~nan) | (int.MaxValue & nan);
        return ((long)ordered << 2) | (long)rank;
    }

    /// <summary>Offset i·kw + j in the window of its first maximal element (or first NaN).</summary>
    private static int ArgMax(Conv2dGeometry g, ReadOnlySpan<T> plane, int oy, int ox)
    {
        int y0 = oy * g.StrideH, x0 = ox * g.StrideW;
        int best = 0;
        T b = plane[(y0 * g.W) + x0];
        for (int i = 0; i < g.KernelH; i++)
        {
            for (int j = 0; j < g.KernelW; j++)
            {
                if (T.IsNaN(b))
                {
                    return best;
                }

                T v = plane[((y0 + i) * g.W) + x0 + j];
                if (v > b || T.IsNaN(v))
                {
                    best = (i * g.KernelW) + j;
                    b = v;
                }
            }
        }

        return best;
    }
}
