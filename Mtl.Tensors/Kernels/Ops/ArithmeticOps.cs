using System.Numerics;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>x + y.</summary>
internal readonly struct AddOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => x + y;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x + y;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x + y;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x + y;
}

/// <summary>x − y.</summary>
internal readonly struct SubtractOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => x - y;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x - y;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x - y;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x - y;
}

/// <summary>x · y (also exp's backward, dy·y).</summary>
internal readonly struct MultiplyOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => x * y;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x * y;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x * y;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x * y;
}

/// <summary>x / y (also log's backward, dy/x).</summary>
internal readonly struct DivideOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => x / y;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => x / y;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x / y;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => x / y;
}

/// <summary>max(x, y), IEEE 754:2019 maximum (NaN-propagating, −0 &lt; +0), as torch.maximum.</summary>
internal readonly struct MaximumOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => T.Max(x, y);

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Vector128.Max(x, y);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Vector256.Max(x, y);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Vector512.Max(x, y);
}

/// <summary>min(x, y), IEEE 754:2019 minimum (NaN-propagating, −0 &lt; +0), as torch.minimum.</summary>
internal readonly struct MinimumOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => T.Min(x, y);

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Vector128.Min(x, y);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Vector256.Min(x, y);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Vector512.Min(x, y);
}

/// <summary>The second operand: broadcasting y into the shape of x is this op run by the broadcast driver.</summary>
internal readonly struct TakeSecondOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => y;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => y;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => y;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => y;
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
internal readonly struct CompareOp<T>(Comparison comparison) : IBinaryOperator<T>
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

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => comparison switch
    {
        Comparison.Equal => Vector128.Equals(x, y),
        Comparison.NotEqual => ~Vector128.Equals(x, y),
        Comparison.Greater => Vector128.GreaterThan(x, y),
        Comparison.GreaterOrEqual => Vector128.GreaterThanOrEqual(x, y),
        Comparison.Less => Vector128.LessThan(x, y),
        _ => Vector128.LessThanOrEqual(x, y),
    } & Vector128<T>.One;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => comparison switch
    {
        Comparison.Equal => Vector256.Equals(x, y),
        Comparison.NotEqual => ~Vector256.Equals(x, y),
        Comparison.Greater => Vector256.GreaterThan(x, y),
        Comparison.GreaterOrEqual => Vector256.GreaterThanOrEqual(x, y),
        Comparison.Less => Vector256.LessThan(x, y),
        _ => Vector256.LessThanOrEqual(x, y),
    } & Vector256<T>.One;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => comparison switch
    {
        Comparison.Equal => Vector512.Equals(x, y),
        Comparison.NotEqual => ~Vector512.Equals(x, y),
        Comparison.Greater => Vector512.GreaterThan(x, y),
        Comparison.GreaterOrEqual => Vector512.GreaterThanOrEqual(x, y),
        Comparison.Less => Vector512.LessThan(x, y),
        _ => Vector512.LessThanOrEqual(x, y),
    } & Vector512<T>.One;
}
