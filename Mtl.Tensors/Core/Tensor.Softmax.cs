using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.Tensors;

/// <summary>
/// Softmax, log-softmax and logsumexp along the last axis, each row shifted by its maximum first so
/// that no exponential overflows: softmax(x) = e^(x−m) / Σ e^(x−m), logsumexp(x) = m + ln Σ e^(x−m).
/// </summary>
public static partial class Tensor
{
    /// <summary>Softmax along the last axis.</summary>
    public static Tensor<T> Softmax<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Tensor<T>(LastAxisShape(x, nameof(Softmax)));
        Softmax(x, y);
        return y;
    }

    /// <summary>destination = softmax of x along the last axis.</summary>
    public static void Softmax<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.RequireShape(LastAxisShape(x, nameof(Softmax)), nameof(Softmax), "the destination");
        RequireNoPartialAlias(x, destination, nameof(Softmax));
        int n = x.Dim(-1);
        var s = x.ReadOnlySpan;
        var d = destination.Span;
        for (int o = 0; o + n <= s.Length && n > 0; o += n)
        {
            var row = s.Slice(o, n);
            var dst = d.Slice(o, n);
            T max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, dst);
            TensorPrimitives.Exp(dst, dst);
            TensorPrimitives.Multiply(dst, T.One / TensorPrimitives.Sum<T>(dst), dst);
        }
    }

    /// <summary>Log-softmax along the last axis: x − logsumexp(x).</summary>
    public static Tensor<T> LogSoftmax<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Tensor<T>(LastAxisShape(x, nameof(LogSoftmax)));
        LogSoftmax(x, y);
        return y;
    }

    /// <summary>destination = log-softmax of x along the last axis (the destination may be x itself).</summary>
    /// <remarks>Computed as (x − m) − ln Σ e^(x−m), not x − logsumexp(x): for |m| ≫ ln Σ the latter rounds
    /// m + ln Σ first and loses the digits of ln Σ (log-softmax of [1000, 1000] was off by 200 ulps in float).
    /// The exponentials go to a scratch row, so an in-place call does not overwrite x before it is read.</remarks>
    public static void LogSoftmax<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.RequireShape(LastAxisShape(x, nameof(LogSoftmax)), nameof(LogSoftmax), "the destination");
        RequireNoPartialAlias(x, destination, nameof(LogSoftmax));
        int n = x.Dim(-1);
        var s = x.ReadOnlySpan;
        var d = destination.Span;
        var scratch = n <= 1024 ? stackalloc T[n] : new T[n];
        for (int o = 0; o + n <= s.Length && n > 0; o += n)
        {
            var row = s.Slice(o, n);
            var dst = d.Slice(o, n);
            T max = TensorPrimitives.Max(row);
            if (T.IsInfinity(max))
            {
                // All −∞ (or a +∞): x − logsumexp(x) gives PyTorch's NaN / −∞ pattern.
                TensorPrimitives.Subtract(row, max, dst);
                continue;
            }

            TensorPrimitives.Subtract(row, max, scratch);
            TensorPrimitives.Exp(scratch, scratch);
            T logSum = T.Log(TensorPrimitives.Sum<T>(scratch));
            TensorPrimitives.Subtract(row, max, dst);
            TensorPrimitives.Subtract(dst, logSum, dst);
        }
    }

    /// <summary>logsumexp along the last axis (the result drops that axis unless <paramref name="keepDim"/>).</summary>
    public static Tensor<T> LogSumExp<T>(Tensor<T> x, bool keepDim = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = new Tensor<T>(LastAxisShape(x, nameof(LogSumExp)).Reduce(-1, keepDim));
        LogSumExpInto(x, y);
        return y;
    }

    /// <summary>y = logsumexp of x along the last axis; y holds one value per row.</summary>
    internal static void LogSumExpInto<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Dim(-1);
        var s = x.ReadOnlySpan;
        var d = y.Span;
        var scratch = n <= 1024 ? stackalloc T[n] : new T[n];
        for (int r = 0; r < d.Length; r++)
        {
            d[r] = n == 0 ? T.NegativeInfinity : RowLogSumExp(s.Slice(r * n, n), scratch);
        }

    }

    /// <summary>m + ln Σ e^(x−m) with m = max x; <paramref name="scratch"/> holds the shifted exponentials.
    /// A row of −∞ gives −∞ (not NaN), as in PyTorch.</summary>
    internal static T RowLogSumExp<T>(ReadOnlySpan<T> row, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T max = TensorPrimitives.Max(row);
        if (T.IsInfinity(max))
        {
            return max;
        }

        var e = scratch[..row.Length];
        TensorPrimitives.Subtract(row, max, e);
        TensorPrimitives.Exp(e, e);
        return max + T.Log(TensorPrimitives.Sum<T>(e));
    }

    private static Shape LastAxisShape<T>(Tensor<T> x, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0)
        {
            throw new ArgumentException($"{operation}: needs at least one axis, got a scalar.", nameof(x));
        }

        return x.Shape;
    }
}
