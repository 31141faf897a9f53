using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// Creation functions and the element-wise, reduction and linear-algebra operations on
/// <see cref="Tensor{T}"/>, in the manner of <c>System.Numerics.Tensors.Tensor</c>: each operation has an
/// out-of-place form that returns a new tensor and a form that writes into a destination.
/// </summary>
public static partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor<T> Zeros<T>(params ReadOnlySpan<int> dims)
        where T : unmanaged, IFloatingPointIeee754<T> => new(dims);

    /// <summary>A tensor of zeros.</summary>
    public static Tensor<T> Zeros<T>(Shape shape)
        where T : unmanaged, IFloatingPointIeee754<T> => new(shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor<T> Ones<T>(params ReadOnlySpan<int> dims)
        where T : unmanaged, IFloatingPointIeee754<T> => Full(T.One, dims);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor<T> Full<T>(T value, params ReadOnlySpan<int> dims)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(dims);
        t.Fill(value);
        return t;
    }

    /// <summary>A scalar (rank-0) tensor.</summary>
    public static Tensor<T> Scalar<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(Shape.Scalar);
        t.Span[0] = value;
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="values"/> in the given shape
    /// (rank 1 with all the values when no dimensions are given).</summary>
    /// <exception cref="ArgumentException">The value count does not match the shape.</exception>
    public static Tensor<T> FromArray<T>(ReadOnlySpan<T> values, params ReadOnlySpan<int> dims)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = dims.Length == 0 ? new Shape(values.Length) : new Shape(dims);
        if (shape.Length != values.Length)
        {
            throw new ArgumentException($"FromArray: {values.Length} values cannot fill shape {shape} ({shape.Length} elements).", nameof(values));
        }

        var t = new Tensor<T>(shape);
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>A matrix from a rectangular 2-D array.</summary>
    public static Tensor<T> FromArray<T>(T[,] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), cols = values.GetLength(1);
        var t = new Tensor<T>(rows, cols);
        var s = t.Span;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                s[(i * cols) + j] = values[i, j];
            }
        }

        return t;
    }

    /// <summary>The values start, start+step, ... below <paramref name="stop"/> (NumPy's arange).</summary>
    /// <exception cref="ArgumentException">The step is zero or not finite.</exception>
    public static Tensor<T> Arange<T>(T start, T stop, T step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (step == T.Zero || !T.IsFinite(step) || !T.IsFinite(start) || !T.IsFinite(stop))
        {
            throw new ArgumentException($"Arange: start {start}, stop {stop} and step {step} must be finite with a non-zero step.", nameof(step));
        }

        double n = Math.Ceiling(double.CreateTruncating((stop - start) / step));
        int count = n <= 0 ? 0 : checked((int)n);
        var t = new Tensor<T>(count);
        var s = t.Span;
        for (int i = 0; i < count; i++)
        {
            s[i] = start + (T.CreateTruncating(i) * step);
        }

        return t;
    }

    /// <summary>0, 1, ..., count-1.</summary>
    public static Tensor<T> Arange<T>(int count)
        where T : unmanaged, IFloatingPointIeee754<T> => Arange(T.Zero, T.CreateTruncating(count), T.One);

    /// <summary>Normal(<paramref name="mean"/>, <paramref name="std"/>²) samples from <paramref name="random"/>.</summary>
    public static Tensor<T> RandomNormal<T>(SeededRandom random, Shape shape, double mean = 0, double std = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var t = new Tensor<T>(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = T.CreateTruncating(mean + (std * random.NextNormal()));
        }

        return t;
    }

    /// <summary>Uniform samples in [<paramref name="low"/>, <paramref name="high"/>) from <paramref name="random"/>.</summary>
    public static Tensor<T> RandomUniform<T>(SeededRandom random, Shape shape, double low = 0, double high = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        var t = new Tensor<T>(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = T.CreateTruncating(low + ((high - low) * random.NextDouble()));
        }

        return t;
    }

    /// <summary>Normal samples from a new generator seeded with <paramref name="seed"/>.</summary>
    public static Tensor<T> RandomNormal<T>(int seed, params ReadOnlySpan<int> dims)
        where T : unmanaged, IFloatingPointIeee754<T> => RandomNormal<T>(new SeededRandom(seed), new Shape(dims));

    /// <summary>Uniform [0, 1) samples from a new generator seeded with <paramref name="seed"/>.</summary>
    public static Tensor<T> RandomUniform<T>(int seed, params ReadOnlySpan<int> dims)
        where T : unmanaged, IFloatingPointIeee754<T> => RandomUniform<T>(new SeededRandom(seed), new Shape(dims));

    /// <summary>The same values converted to another element type.</summary>
    public static Tensor<TTo> Cast<TFrom, TTo>(Tensor<TFrom> x)
        where TFrom : unmanaged, IFloatingPointIeee754<TFrom>
        where TTo : unmanaged, IFloatingPointIeee754<TTo>
    {
        var t = new Tensor<TTo>(x.Shape);
        var src = x.ReadOnlySpan;
        var dst = t.Span;
        for (int i = 0; i < src.Length; i++)
        {
            dst[i] = TTo.CreateTruncating(src[i]);
        }

        return t;
    }
}
