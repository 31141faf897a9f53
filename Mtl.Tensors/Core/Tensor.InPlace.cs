using System.Numerics.Tensors;

namespace Mtl.Tensors;

public sealed partial class Tensor<T>
{
    /// <summary>this += y (y broadcast to this shape).</summary>
    public Tensor<T> AddInPlace(Tensor<T> y)
    {
        Tensor.Add(this, y, this);
        return this;
    }

    /// <summary>this -= y (y broadcast to this shape).</summary>
    public Tensor<T> SubtractInPlace(Tensor<T> y)
    {
        Tensor.Subtract(this, y, this);
        return this;
    }

    /// <summary>this ·= y element-wise (y broadcast to this shape).</summary>
    public Tensor<T> MultiplyInPlace(Tensor<T> y)
    {
        Tensor.Multiply(this, y, this);
        return this;
    }

    /// <summary>this ·= s.</summary>
    public Tensor<T> MultiplyInPlace(T s)
    {
        TensorPrimitives.Multiply(ReadOnlySpan, s, Span);
        return this;
    }

    /// <summary>this += s.</summary>
    public Tensor<T> AddInPlace(T s)
    {
        TensorPrimitives.Add(ReadOnlySpan, s, Span);
        return this;
    }

    /// <summary>this += α·y for a tensor y of the same shape (BLAS axpy).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public Tensor<T> AddScaledInPlace(T alpha, Tensor<T> y)
    {
        ArgumentNullException.ThrowIfNull(y);
        y.RequireShape(_shape, "AddScaledInPlace", "the added tensor");
        TensorPrimitives.MultiplyAdd(y.ReadOnlySpan, alpha, ReadOnlySpan, Span);
        return this;
    }

    /// <summary>x + y with broadcasting.</summary>
    public static Tensor<T> operator +(Tensor<T> x, Tensor<T> y) => Tensor.Add(x, y);

    /// <summary>x - y with broadcasting.</summary>
    public static Tensor<T> operator -(Tensor<T> x, Tensor<T> y) => Tensor.Subtract(x, y);

    /// <summary>x · y element-wise with broadcasting.</summary>
    public static Tensor<T> operator *(Tensor<T> x, Tensor<T> y) => Tensor.Multiply(x, y);

    /// <summary>x / y element-wise with broadcasting.</summary>
    public static Tensor<T> operator /(Tensor<T> x, Tensor<T> y) => Tensor.Divide(x, y);

    /// <summary>x · s.</summary>
    public static Tensor<T> operator *(Tensor<T> x, T s) => Tensor.Multiply(x, s);

    /// <summary>x + s.</summary>
    public static Tensor<T> operator +(Tensor<T> x, T s) => Tensor.Add(x, s);

    /// <summary>-x.</summary>
    public static Tensor<T> operator -(Tensor<T> x) => Tensor.Negate(x);
}
