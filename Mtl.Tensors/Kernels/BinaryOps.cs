using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

// Arithmetic: TensorPrimitives already has every span shape, so these only route to it.

/// <summary>x + y.</summary>
internal readonly struct AddOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Add(x, y, d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Add(x, y, d);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Add(y, x, d);
}

/// <summary>x - y.</summary>
internal readonly struct SubtractOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Subtract(x, y, d);
}

/// <summary>x · y.</summary>
internal readonly struct MultiplyOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Multiply(x, y, d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Multiply(x, y, d);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Multiply(y, x, d);
}

/// <summary>x / y.</summary>
internal readonly struct DivideOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Divide(x, y, d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Divide(x, y, d);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Divide(x, y, d);
}

/// <summary>max(x, y), NaN-propagating as IEEE 754:2019 maximum (and torch.maximum).</summary>
internal readonly struct MaximumOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Max(x, y, d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Max(x, y, d);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Max(y, x, d);
}

/// <summary>min(x, y), NaN-propagating.</summary>
internal readonly struct MinimumOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Min(x, y, d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Min(x, y, d);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Min(y, x, d);
}

/// <summary>x^y.</summary>
internal readonly struct PowOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Pow(x, y, d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => TensorPrimitives.Pow(x, y, d);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => TensorPrimitives.Pow(x, y, d);
}

/// <summary>Copies the second operand: broadcasting y into the shape of x.</summary>
internal readonly struct TakeSecondOp<T> : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) => y.CopyTo(d);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> d) => d.Fill(y);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> d) => y.CopyTo(d);
}

/// <summary>The comparison a mask is made from.</summary>
public enum Comparison
{
    /// <summary>x == y.</summary>
    Equal,

    /// <summary>x != y.</summary>
    NotEqual,

    /// <summary>x &gt; y.</summary>
    Greater,

    /// <summary>x &gt;= y.</summary>
    GreaterOrEqual,

    /// <summary>x &lt; y.</summary>
    Less,

    /// <summary>x &lt;= y.</summary>
    LessOrEqual,
}

/// <summary>1 where the comparison holds, else 0 (a mask in the tensor's own element type).</summary>
internal readonly struct CompareOp<T>(Comparison comparison) : IBinaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y)
    {
        bool r = comparison switch
        {
            Comparison.Equal => x == y,
            Comparison.NotEqual => x != y,
            Comparison.Greater => x > y,
            Comparison.GreaterOrEqual => x >= y,
            Comparison.Less => x < y,
            _ => x <= y,
        };
        return r ? T.One : T.Zero;
    }

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y)
    {
        var m = comparison switch
        {
            Comparison.Equal => Vector256.Equals(x, y),
            Comparison.NotEqual => ~Vector256.Equals(x, y),
            Comparison.Greater => Vector256.GreaterThan(x, y),
            Comparison.GreaterOrEqual => Vector256.GreaterThanOrEqual(x, y),
            Comparison.Less => Vector256.LessThan(x, y),
            _ => Vector256.LessThanOrEqual(x, y),
        };
        return m & Vector256<T>.One;
    }
}
