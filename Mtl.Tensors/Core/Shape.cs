using System.Runtime.CompilerServices;
using System.Text;

namespace Mtl.Tensors;

/// <summary>
/// The dimensions of a tensor, row-major (the last axis varies fastest). A value type with the
/// dimensions stored inline, so creating, comparing and passing shapes allocates nothing.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The largest rank a tensor can have (N, C, H, W plus two spare axes).</summary>
    public const int MaxRank = 6;

    [InlineArray(MaxRank)]
    private struct Dims
    {
        private int _element0;
    }

    private readonly Dims _dims;

    /// <summary>Number of axes; 0 for a scalar.</summary>
    public int Rank { get; }

    private readonly int _length;

    /// <summary>Number of elements: the product of the dimensions (1 for a scalar, including <c>default</c>).</summary>
    public int Length => Rank == 0 ? 1 : _length;

    /// <summary>Creates a shape from its dimensions.</summary>
    /// <exception cref="ArgumentException">A dimension is negative, the rank exceeds <see cref="MaxRank"/>,
    /// or the element count overflows an <see cref="int"/>.</exception>
    public Shape(params ReadOnlySpan<int> dims)
    {
        if (dims.Length > MaxRank)
        {
            throw new ArgumentException($"Shape: rank {dims.Length} exceeds the maximum rank {MaxRank}.", nameof(dims));
        }

        long length = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] < 0)
            {
                throw new ArgumentException($"Shape: dimension {i} is negative in {Format(dims)}.", nameof(dims));
            }

            length *= dims[i];
            if (length > int.MaxValue)
            {
                throw new ArgumentException($"Shape: {Format(dims)} has more than {int.MaxValue} elements.", nameof(dims));
            }

            _dims[i] = dims[i];
        }

        Rank = dims.Length;
        _length = (int)length;
    }

    /// <summary>The scalar shape [].</summary>
    public static Shape Scalar => default;

    /// <summary>Dimension of <paramref name="axis"/>; a negative axis counts from the end.</summary>
    public int this[int axis] => _dims[NormalizeAxis(axis)];

    /// <summary>Maps a possibly negative axis to 0..Rank-1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range for this rank.</exception>
    public int NormalizeAxis(int axis)
    {
        int a = axis < 0 ? axis + Rank : axis;
        if ((uint)a >= (uint)Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a tensor of shape {this}.");
        }

        return a;
    }

    /// <summary>Copies the dimensions into <paramref name="destination"/> and returns the written part.</summary>
    public Span<int> CopyTo(Span<int> destination)
    {
        for (int i = 0; i < Rank; i++)
        {
            destination[i] = _dims[i];
        }

        return destination[..Rank];
    }

    /// <summary>The dimensions as a new array.</summary>
    public int[] ToArray()
    {
        var result = new int[Rank];
        CopyTo(result);
        return result;
    }

    /// <summary>Product of the dimensions before <paramref name="axis"/>.</summary>
    public int OuterSize(int axis)
    {
        int n = 1;
        for (int i = 0; i < axis; i++)
        {
            n *= _dims[i];
        }

        return n;
    }

    /// <summary>Product of the dimensions after <paramref name="axis"/>.</summary>
    public int InnerSize(int axis)
    {
        int n = 1;
        for (int i = axis + 1; i < Rank; i++)
        {
            n *= _dims[i];
        }

        return n;
    }

    /// <summary>This shape with the dimension of <paramref name="axis"/> replaced.</summary>
    public Shape WithDim(int axis, int size)
    {
        Span<int> d = stackalloc int[MaxRank];
        d = CopyTo(d);
        d[NormalizeAxis(axis)] = size;
        return new Shape(d);
    }

    /// <summary>This shape with <paramref name="axis"/> removed (or kept as 1 when <paramref name="keepDim"/>).</summary>
    public Shape Reduce(int axis, bool keepDim)
    {
        int a = NormalizeAxis(axis);
        Span<int> d = stackalloc int[MaxRank];
        int r = 0;
        for (int i = 0; i < Rank; i++)
        {
            if (i != a)
            {
                d[r++] = _dims[i];
            }
            else if (keepDim)
            {
                d[r++] = 1;
            }
        }

        return new Shape(d[..r]);
    }

    /// <inheritdoc />
    public bool Equals(Shape other)
    {
        if (Rank != other.Rank)
        {
            return false;
        }

        for (int i = 0; i < Rank; i++)
        {
            if (_dims[i] != other._dims[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Rank);
        for (int i = 0; i < Rank; i++)
        {
            h.Add(_dims[i]);
        }

        return h.ToHashCode();
    }

    /// <summary>Shape equality.</summary>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>Formats as <c>[2, 3]</c>.</summary>
    public override string ToString()
    {
        Span<int> d = stackalloc int[MaxRank];
        return Format(CopyTo(d));
    }

    private static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(dims[i]);
        }

        return sb.Append(']').ToString();
    }

    /// <summary>
    /// The NumPy broadcast of two shapes: aligned from the last axis, each pair of dimensions must be
    /// equal or one of them 1.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast; the message names <paramref name="operation"/>.</exception>
    public static Shape Broadcast(Shape a, Shape b, string operation)
    {
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> d = stackalloc int[MaxRank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < a.Rank ? a[a.Rank - 1 - i] : 1;
            int db = i < b.Rank ? b[b.Rank - 1 - i] : 1;
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"{operation}: shapes {a} and {b} cannot be broadcast together (axis {-1 - i}: {da} vs {db}).");
            }

            d[rank - 1 - i] = da == 1 ? db : da;
        }

        return new Shape(d[..rank]);
    }
}
