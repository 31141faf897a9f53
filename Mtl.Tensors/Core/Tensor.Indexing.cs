using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.Tensors;

public static partial class Tensor
{
    /// <summary>Concatenates tensors along <paramref name="axis"/>; all other dimensions must agree.</summary>
    /// <exception cref="ArgumentException">No tensors, or their shapes disagree off the axis.</exception>
    public static Tensor<T> Concat<T>(IReadOnlyList<Tensor<T>> tensors, int axis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("Concat: needs at least one tensor.", nameof(tensors));
        }

        var first = tensors[0].Shape;
        int a = first.NormalizeAxis(axis);
        int total = ValidateConcat(tensors, a);
        var y = new Tensor<T>(first.WithDim(a, total));
        ConcatInto(tensors, a, y);
        return y;
    }

    /// <summary>Checks that <paramref name="tensors"/> agree off <paramref name="a"/> and returns the total length along it.</summary>
    internal static int ValidateConcat<T>(IReadOnlyList<Tensor<T>> tensors, int a)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var first = tensors[0].Shape;
        int total = 0;
        foreach (var t in tensors)
        {
            if (t.Rank != first.Rank)
            {
                throw new ArgumentException($"Concat: shapes {first} and {t.Shape} have different ranks.", nameof(tensors));
            }

            for (int i = 0; i < first.Rank; i++)
            {
                if (i != a && t.Shape[i] != first[i])
                {
                    throw new ArgumentException($"Concat: shapes {first} and {t.Shape} differ on axis {i} (concatenating along {a}).", nameof(tensors));
                }
            }

            total += t.Shape[a];
        }

        return total;
    }

    /// <summary>Writes the concatenation of <paramref name="tensors"/> along <paramref name="axis"/> (already
    /// validated and normalised) into <paramref name="y"/>.</summary>
    internal static void ConcatInto<T>(IReadOnlyList<Tensor<T>> tensors, int axis, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var first = tensors[0].Shape;
        int a = axis, total = y.Shape[axis];
        int outer = first.OuterSize(a), inner = first.InnerSize(a), outRow = total * inner;
        var d = y.Span;
        int at = 0;
        foreach (var t in tensors)
        {
            int run = t.Shape[a] * inner;
            var s = t.ReadOnlySpan;
            for (int o = 0; o < outer; o++)
            {
                s.Slice(o * run, run).CopyTo(d.Slice((o * outRow) + at, run));
            }

            at += run;
        }
    }

    /// <summary>Elements <paramref name="start"/>..<paramref name="start"/>+<paramref name="length"/>-1 along
    /// <paramref name="axis"/>, copied (torch.narrow); along axis 0 prefer the view <see cref="Tensor{T}.SliceRows"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the axis.</exception>
    public static Tensor<T> Narrow<T>(Tensor<T> x, int axis, int start, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = x.Shape.NormalizeAxis(axis);
        int n = x.Shape[a];
        if (start < 0 || length < 0 || (long)start + length > n)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: [{start}, {start + length}) is out of range for axis {a} of shape {x.Shape}.");
        }

        var y = new Tensor<T>(x.Shape.WithDim(a, length));
        int outer = x.Shape.OuterSize(a), inner = x.Shape.InnerSize(a);
        var s = x.ReadOnlySpan;
        var d = y.Span;
        for (int o = 0; o < outer; o++)
        {
            s.Slice(((o * n) + start) * inner, length * inner).CopyTo(d.Slice(o * length * inner, length * inner));
        }

        return y;
    }

    /// <summary>Rows of x (slices along axis 0) picked by <paramref name="indices"/>, in that order
    /// (torch.index_select on dim 0; an embedding lookup or a shuffled mini-batch).</summary>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, rows).</exception>
    public static Tensor<T> Gather<T>(Tensor<T> x, ReadOnlySpan<int> indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank == 0)
        {
            throw new ArgumentException("Gather: a scalar has no rows.", nameof(x));
        }

        var y = new Tensor<T>(x.Shape.WithDim(0, indices.Length));
        GatherInto(x, indices, y);
        return y;
    }

    /// <summary>destination[i] = x[indices[i]] row by row.</summary>
    public static void GatherInto<T>(Tensor<T> x, ReadOnlySpan<int> indices, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(destination);
        destination.RequireShape(x.Shape.WithDim(0, indices.Length), nameof(Gather), "the destination");
        int rows = x.Shape[0], row = x.RowLength;
        var s = x.ReadOnlySpan;
        var d = destination.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int r = indices[i];
            if ((uint)r >= (uint)rows)
            {
                throw new IndexOutOfRangeException($"Gather: index {r} at position {i} is out of range for {rows} rows (shape {x.Shape}).");
            }

            s.Slice(r * row, row).CopyTo(d.Slice(i * row, row));
        }
    }

    /// <summary>destination[indices[i]] += source[i] row by row (the backward of <see cref="Gather{T}"/>;
    /// repeated indices accumulate, in index order).</summary>
    /// <exception cref="IndexOutOfRangeException">An index is outside the destination's rows.</exception>
    public static void IndexAdd<T>(Tensor<T> destination, ReadOnlySpan<int> indices, Tensor<T> source)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(source);
        source.RequireShape(destination.Shape.WithDim(0, indices.Length), nameof(IndexAdd), "the source");
        int rows = destination.Shape[0], row = destination.RowLength;
        var s = source.ReadOnlySpan;
        var d = destination.Span;
        for (int i = 0; i < indices.Length; i++)
        {
            int r = indices[i];
            if ((uint)r >= (uint)rows)
            {
                throw new IndexOutOfRangeException($"IndexAdd: index {r} at position {i} is out of range for {rows} rows (shape {destination.Shape}).");
            }

            var dr = d.Slice(r * row, row);
            TensorPrimitives.Add(dr, s.Slice(i * row, row), dr);
        }
    }
}
