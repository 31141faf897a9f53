using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.Tensors;

/// <summary>
/// Reductions. An axis reduction views the tensor as [outer, n, inner] (n the reduced axis): with
/// inner = 1 each output is one contiguous TensorPrimitives reduction; otherwise rows of length inner
/// are combined with vector ops in axis order. Either way the order of operations is fixed, so results
/// do not depend on threads.
/// </summary>
public static partial class Tensor
{
    /// <summary>Σ x over all elements.</summary>
    public static T Sum<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Sum(NotNull(x).ReadOnlySpan);

    /// <summary>Mean of all elements (NaN for an empty tensor, as in PyTorch).</summary>
    public static T Mean<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Sum(x) / T.CreateTruncating(x.Length);

    /// <summary>Largest element.</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public static T Max<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Max(NonEmpty(x, nameof(Max)).ReadOnlySpan);

    /// <summary>Smallest element.</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public static T Min<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => TensorPrimitives.Min(NonEmpty(x, nameof(Min)).ReadOnlySpan);

    /// <summary>Sum along <paramref name="axis"/>.</summary>
    public static Tensor<T> Sum<T>(Tensor<T> x, int axis, bool keepDim = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (outer, n, inner, shape) = AxisView(x, axis, keepDim);
        var y = new Tensor<T>(shape);
        SumAxisInto(x.ReadOnlySpan, y.Span, outer, n, inner);
        return y;
    }

    /// <summary>Mean along <paramref name="axis"/>.</summary>
    public static Tensor<T> Mean<T>(Tensor<T> x, int axis, bool keepDim = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Sum(x, axis, keepDim);
        y.MultiplyInPlace(T.One / T.CreateTruncating(x.Dim(axis)));
        return y;
    }

    /// <summary>Maximum along <paramref name="axis"/>.</summary>
    public static Tensor<T> Max<T>(Tensor<T> x, int axis, bool keepDim = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Extreme(x, axis, keepDim, max: true);

    /// <summary>Minimum along <paramref name="axis"/>.</summary>
    public static Tensor<T> Min<T>(Tensor<T> x, int axis, bool keepDim = false)
        where T : unmanaged, IFloatingPointIeee754<T> => Extreme(x, axis, keepDim, max: false);

    /// <summary>
    /// Index of the largest element along <paramref name="axis"/>, in the row-major order of the reduced
    /// shape (the first index wins ties, a NaN wins over numbers, as in torch.argmax).
    /// </summary>
    public static int[] ArgMax<T>(Tensor<T> x, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (outer, n, inner, _) = AxisView(x, axis, keepDim: false);
        if (n == 0)
        {
            throw new ArgumentException($"ArgMax: axis {axis} of shape {x.Shape} is empty.", nameof(axis));
        }

        var result = new int[outer * inner];
        var s = x.ReadOnlySpan;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int best = 0;
                T bestValue = s[(o * n * inner) + i];
                for (int k = 1; k < n && !T.IsNaN(bestValue); k++)
                {
                    T v = s[(((o * n) + k) * inner) + i];
                    if (v > bestValue || T.IsNaN(v))
                    {
                        best = k;
                        bestValue = v;
                    }
                }

                result[(o * inner) + i] = best;
            }
        }

        return result;
    }

    /// <summary>
    /// Variance along <paramref name="axis"/> with Bessel's correction by default (torch.var's
    /// correction = 1); two-pass (mean first) for accuracy.
    /// </summary>
    public static Tensor<T> Variance<T>(Tensor<T> x, int axis, int correction = 1, bool keepDim = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var mean = Mean(x, axis, keepDim: true);
        var centered = Subtract(x, mean);
        TensorPrimitives.Multiply(centered.ReadOnlySpan, centered.ReadOnlySpan, centered.Span);
        var y = Sum(centered, axis, keepDim);
        y.MultiplyInPlace(T.One / T.CreateTruncating(Math.Max(0, x.Dim(axis) - correction)));
        return y;
    }

    /// <summary>Variance of all elements, unbiased (Bessel's correction, torch.var's default) unless
    /// <paramref name="unbiased"/> is false. A bool rather than an int correction, so that
    /// <c>Variance(x, 1)</c> can only mean the variance along axis 1.</summary>
    public static T Variance<T>(Tensor<T> x, bool unbiased = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int correction = unbiased ? 1 : 0;
        T mean = Mean(x);
        T ss = T.Zero;
        foreach (T v in x.ReadOnlySpan)
        {
            ss += (v - mean) * (v - mean);
        }

        return ss / T.CreateTruncating(Math.Max(0, x.Length - correction));
    }

    /// <summary>
    /// Sums <paramref name="x"/> down to <paramref name="shape"/>, the reverse of broadcasting: the
    /// gradient of a broadcast operand is the upstream gradient summed over the axes it was repeated on.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> does not broadcast to x's shape.</exception>
    public static Tensor<T> SumTo<T>(Tensor<T> x, Shape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Tensor<T>(shape);
        SumTo(x, y, accumulate: false);
        return y;
    }

    /// <summary>destination (+)= x summed down to destination's shape.</summary>
    public static void SumTo<T>(Tensor<T> x, Tensor<T> destination, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(destination);
        var shape = destination.Shape;
        if (Shape.Broadcast(x.Shape, shape, nameof(SumTo)) != x.Shape)
        {
            throw new ArgumentException($"SumTo: shape {shape} does not broadcast to {x.Shape}.", nameof(destination));
        }

        if (!accumulate)
        {
            destination.Clear();
        }

        if (shape.Length == x.Length)
        {
            TensorPrimitives.Add(destination.ReadOnlySpan, x.ReadOnlySpan, destination.Span);
            return;
        }

        // Walk x as [outer, inner] runs where inner is the trailing block over which the target is
        // either fully present (add the run) or fully broadcast (add the run's sum to one element).
        int rank = x.Rank;
        Span<int> dims = stackalloc int[Shape.MaxRank];
        Span<int> strides = stackalloc int[Shape.MaxRank];
        dims = x.Shape.CopyTo(dims);
        Kernels.BroadcastDriver.Strides(shape, x.Shape, strides);
        int mode = 0, inner = 1, split = rank;
        while (split > 0)
        {
            int a = split - 1;
            if (dims[a] != 1)
            {
                int m = strides[a] == 0 ? 2 : 1;
                if (mode != 0 && m != mode)
                {
                    break;
                }

                mode = m;
            }

            inner *= dims[a];
            split--;
        }

        var src = x.ReadOnlySpan;
        var dst = destination.Span;
        Span<int> counter = stackalloc int[Shape.MaxRank];
        counter.Clear();
        int off = 0;
        for (int xo = 0; xo < src.Length; xo += inner)
        {
            var run = src.Slice(xo, inner);
            if (mode == 2)
            {
                dst[off] += TensorPrimitives.Sum(run);
            }
            else
            {
                var d = dst.Slice(off, inner);
                TensorPrimitives.Add(d, run, d);
            }

            for (int a = split - 1; a >= 0; a--)
            {
                counter[a]++;
                off += strides[a];
                if (counter[a] < dims[a])
                {
                    break;
                }

                off -= strides[a] * dims[a];
                counter[a] = 0;
            }
        }
    }

    /// <summary>y[o, i] = Σ_k x[o, k, i] over the [outer, n, inner] view.</summary>
    internal static void SumAxisInto<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int n, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++)
            {
                y[o] = TensorPrimitives.Sum(x.Slice(o * n, n));
            }

            return;
        }

        y.Clear();
        for (int o = 0; o < outer; o++)
        {
            var row = y.Slice(o * inner, inner);
            for (int k = 0; k < n; k++)
            {
                TensorPrimitives.Add(row, x.Slice(((o * n) + k) * inner, inner), row);
            }
        }
    }

    private static Tensor<T> Extreme<T>(Tensor<T> x, int axis, bool keepDim, bool max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Tensor<T>(AxisView(x, axis, keepDim).Result);
        ExtremeInto(x, axis, y, max);
        return y;
    }

    /// <summary>y = max (or min) of x along <paramref name="axis"/>; y has the reduced shape, with or without the kept axis.</summary>
    internal static void ExtremeInto<T>(Tensor<T> x, int axis, Tensor<T> y, bool max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (outer, n, inner, _) = AxisView(x, axis, keepDim: false);
        if (n == 0)
        {
            throw new ArgumentException($"{(max ? "Max" : "Min")}: axis {axis} of shape {x.Shape} is empty.", nameof(axis));
        }

        if (y.Length != outer * inner)
        {
            throw new ArgumentException($"{(max ? "Max" : "Min")}: the destination {y.Shape} does not hold the reduction of {x.Shape} along axis {axis}.", nameof(y));
        }

        var s = x.ReadOnlySpan;
        var d = y.Span;
        for (int o = 0; o < outer; o++)
        {
            if (inner == 1)
            {
                var run = s.Slice(o * n, n);
                d[o] = max ? TensorPrimitives.Max(run) : TensorPrimitives.Min(run);
                continue;
            }

            var row = d.Slice(o * inner, inner);
            s.Slice(o * n * inner, inner).CopyTo(row);
            for (int k = 1; k < n; k++)
            {
                var next = s.Slice(((o * n) + k) * inner, inner);
                if (max)
                {
                    TensorPrimitives.Max(row, next, row);
                }
                else
                {
                    TensorPrimitives.Min(row, next, row);
                }
            }
        }

    }

    /// <summary>The [outer, n, inner] view of a reduction over <paramref name="axis"/> and the result shape.</summary>
    internal static (int Outer, int N, int Inner, Shape Result) AxisView<T>(Tensor<T> x, int axis, bool keepDim)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = x.Shape.NormalizeAxis(axis);
        return (x.Shape.OuterSize(a), x.Shape[a], x.Shape.InnerSize(a), x.Shape.Reduce(a, keepDim));
    }

    private static Tensor<T> NotNull<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return x;
    }

    private static Tensor<T> NonEmpty<T>(Tensor<T> x, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length == 0)
        {
            throw new ArgumentException($"{operation}: the tensor of shape {x.Shape} is empty.", nameof(x));
        }

        return x;
    }
}
