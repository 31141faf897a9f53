using System.Numerics;
using System.Runtime.CompilerServices;

namespace Mtl.Tensors;

/// <summary>
/// A dense, row-major, contiguous n-dimensional array of <see cref="float"/> or <see cref="double"/>.
/// Storage is a slice of a managed array, so <see cref="Reshape(ReadOnlySpan{int})"/> and
/// <see cref="SliceRows"/> are views that share memory with their source; every other operation writes
/// into a new tensor or into a destination the caller gives.
/// </summary>
/// <remarks>A tensor the autograd tape hands out (an op's value or gradient) lives until the tape is
/// released at the next forward pass; after that every read or write through it, or through a view of
/// it, throws <see cref="ReleasedTensorException"/>. Tensors made with <c>new</c>, <see cref="Clone"/> or
/// under <c>Tape.NoGrad()</c> are never released.</remarks>
/// <typeparam name="T"><see cref="float"/> (training) or <see cref="double"/> (gradient checks).</typeparam>
public sealed partial class Tensor<T> : IPooledTensor, ILeasedTensor
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _buffer;
    private int _offset;
    private Shape _shape;

    static Tensor()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"Tensor<{typeof(T).Name}>: only float and double are supported.");
        }
    }

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    public Tensor(Shape shape)
    {
        _shape = shape;
        _buffer = shape.Length == 0 ? [] : new T[shape.Length];
    }

    /// <summary>Creates a zero-filled tensor with the given dimensions.</summary>
    public Tensor(params ReadOnlySpan<int> dims)
        : this(new Shape(dims))
    {
    }

    /// <summary>Wraps <paramref name="buffer"/> (not copied) starting at <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">The buffer is too small for the shape.</exception>
    public Tensor(T[] buffer, int offset, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || (long)offset + shape.Length > buffer.Length)
        {
            throw new ArgumentException($"Tensor: a buffer of {buffer.Length} elements at offset {offset} cannot hold shape {shape} ({shape.Length} elements).", nameof(buffer));
        }

        _buffer = buffer;
        _offset = offset;
        _shape = shape;
    }

    /// <summary>The dimensions.</summary>
    public Shape Shape => _shape;

    /// <summary>Number of axes.</summary>
    public int Rank => _shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Length => _shape.Length;

    /// <summary>Rows of a matrix view: the first dimension (1 for a scalar).</summary>
    public int Rows => _shape.Rank == 0 ? 1 : _shape[0];

    /// <summary>Elements per row: the product of all dimensions after the first.</summary>
    public int RowLength => _shape.Rank == 0 ? 1 : _shape.InnerSize(0);

    /// <summary>The elements in row-major order.</summary>
    /// <exception cref="ReleasedTensorException">The tape released this tensor.</exception>
    public Span<T> Span => new(_buffer ?? ThrowReleased(), _offset, _shape.Length);

    /// <summary>The elements in row-major order, read-only.</summary>
    /// <exception cref="ReleasedTensorException">The tape released this tensor.</exception>
    public ReadOnlySpan<T> ReadOnlySpan => new(_buffer ?? ThrowReleased(), _offset, _shape.Length);

    /// <summary>The underlying array (shared with views).</summary>
    internal T[] Buffer => _buffer ?? ThrowReleased();

    /// <summary>Offset of element 0 in <see cref="Buffer"/>.</summary>
    internal int Offset => _offset;

    /// <summary>Dimension of <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => _shape[axis];

    /// <summary>Element of a rank-1 tensor, or the flat element of any tensor.</summary>
    [IndexerName("Element")]
    public T this[int i]
    {
        get => Span[i];
        set => Span[i] = value;
    }

    /// <summary>Element (i, j) of a rank-2 tensor.</summary>
    [IndexerName("Element")]
    public T this[int i, int j]
    {
        get => Span[FlatIndex(i, j)];
        set => Span[FlatIndex(i, j)] = value;
    }

    /// <summary>Element (i, j, k) of a rank-3 tensor.</summary>
    [IndexerName("Element")]
    public T this[int i, int j, int k]
    {
        get => Span[FlatIndex(i, j, k)];
        set => Span[FlatIndex(i, j, k)] = value;
    }

    /// <summary>Element (i, j, k, l) of a rank-4 tensor.</summary>
    [IndexerName("Element")]
    public T this[int i, int j, int k, int l]
    {
        get => Span[FlatIndex(i, j, k, l)];
        set => Span[FlatIndex(i, j, k, l)] = value;
    }

    /// <summary>The flat row-major index of a multi-index.</summary>
    /// <exception cref="ArgumentException">The index count is not the rank.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside its dimension.</exception>
    public int FlatIndex(params ReadOnlySpan<int> index)
    {
        if (index.Length != Rank)
        {
            throw new ArgumentException($"Tensor index: {index.Length} indices for a tensor of shape {_shape}.", nameof(index));
        }

        int flat = 0;
        for (int a = 0; a < index.Length; a++)
        {
            int d = _shape[a];
            if ((uint)index[a] >= (uint)d)
            {
                throw new IndexOutOfRangeException($"Tensor index: index {index[a]} on axis {a} is out of range for shape {_shape}.");
            }

            flat = (flat * d) + index[a];
        }

        return flat;
    }

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public T Item()
    {
        if (Length != 1)
        {
            throw new InvalidOperationException($"Item: a tensor of shape {_shape} has {Length} elements, not 1.");
        }

        return Buffer[_offset];
    }

    /// <summary>A copy of the elements as a new array.</summary>
    public T[] ToArray() => ReadOnlySpan.ToArray();

    /// <summary>A deep copy with its own storage.</summary>
    public Tensor<T> Clone()
    {
        var t = new Tensor<T>(_shape);
        ReadOnlySpan.CopyTo(t.Span);
        return t;
    }

    /// <summary>Copies this tensor's elements into <paramref name="destination"/> (same element count).</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public void CopyTo(Tensor<T> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Length != Length)
        {
            throw new ArgumentException($"CopyTo: source {_shape} and destination {destination.Shape} have different element counts.", nameof(destination));
        }

        ReadOnlySpan.CopyTo(destination.Span);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(T value) => Span.Fill(value);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>
    /// A view with the same elements in a new shape; one dimension may be -1 and is inferred.
    /// The view shares storage with this tensor.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ or more than one dimension is -1.</exception>
    public Tensor<T> Reshape(params ReadOnlySpan<int> dims) => View(_offset, ResolveReshape(dims));

    /// <summary>A view of this tensor's storage in <paramref name="shape"/>.</summary>
    public Tensor<T> Reshape(Shape shape)
    {
        if (shape.Length != Length)
        {
            throw new ArgumentException($"Reshape: cannot view a tensor of shape {_shape} ({Length} elements) as {shape} ({shape.Length} elements).", nameof(shape));
        }

        return View(_offset, shape);
    }

    internal Shape ResolveReshape(ReadOnlySpan<int> dims)
    {
        Span<int> d = stackalloc int[Shape.MaxRank];
        if (dims.Length > Shape.MaxRank)
        {
            throw new ArgumentException($"Reshape: rank {dims.Length} exceeds {Shape.MaxRank}.", nameof(dims));
        }

        dims.CopyTo(d);
        d = d[..dims.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == -1)
            {
                if (infer >= 0)
                {
                    throw new ArgumentException($"Reshape: only one dimension may be -1 (shape {_shape}).", nameof(dims));
                }

                infer = i;
            }
            else if (d[i] < 0)
            {
                throw new ArgumentException($"Reshape: dimension {i} is negative ({d[i]}) when reshaping {_shape}.", nameof(dims));
            }
            else
            {
                known *= d[i];
            }
        }

        if (infer >= 0)
        {
            if (known == 0 || Length % known != 0)
            {
                throw new ArgumentException($"Reshape: cannot infer dimension {infer} when reshaping {_shape} ({Length} elements).", nameof(dims));
            }

            d[infer] = (int)(Length / known);
            known *= d[infer];
        }

        if (known != Length)
        {
            throw new ArgumentException($"Reshape: cannot view a tensor of shape {_shape} ({Length} elements) as {new Shape(d)} ({known} elements).", nameof(dims));
        }

        return new Shape(d);
    }

    /// <summary>
    /// Rows <paramref name="start"/> .. <paramref name="start"/>+<paramref name="count"/>-1 along axis 0,
    /// as a view (a mini-batch of a data matrix, without copying).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the first dimension.</exception>
    public Tensor<T> SliceRows(int start, int count)
    {
        if (Rank == 0)
        {
            throw new ArgumentException("SliceRows: a scalar has no rows.");
        }

        if (start < 0 || count < 0 || (long)start + count > _shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"SliceRows: rows [{start}, {start + count}) are out of range for shape {_shape}.");
        }

        int row = RowLength;
        return View(_offset + (start * row), _shape.WithDim(0, count));
    }

    /// <summary>True when both tensors have the same shape and element-wise equal values (bitwise for non-NaN).</summary>
    public bool ContentEquals(Tensor<T> other) =>
        other is not null && other.Shape == _shape && ReadOnlySpan.SequenceEqual(other.ReadOnlySpan);

    /// <inheritdoc />
    void IPooledTensor.ReturnToPool()
    {
        if (!_rentedByCaller)
        {
            throw new InvalidOperationException($"ReturnToPool: tensor {_shape} was not rented with TensorPool.Rent (a value or gradient of the autograd tape goes back when the tape is released).");
        }

        TensorPool<T>.Return(this);
    }

    /// <inheritdoc />
    void ILeasedTensor.Release() => TensorPool<T>.Return(this);

    /// <summary>Dtype, shape and values: all of them up to <see cref="TensorFormat.Threshold"/> elements, else the first
    /// and last few of each axis, as PyTorch prints (<c>Tensor&lt;float32&gt;[2, 2]\n[[1, 2],\n [3, 4]]</c>); a
    /// tensor of rank ≤ 1 stays on one line.</summary>
    /// <exception cref="ReleasedTensorException">The tape released this tensor.</exception>
    public override string ToString()
    {
        _ = Buffer;
        string name = typeof(T) == typeof(float) ? "float32" : "float64";
        var dims = new int[Rank];
        for (int a = 0; a < dims.Length; a++)
        {
            dims[a] = _shape[a];
        }

        string values = Length == 0 ? "[]" : TensorFormat.Values<T>(ReadOnlySpan, dims);
        return $"Tensor<{name}>{_shape}{(Rank >= 2 ? "\n" : " ")}{(Rank == 0 ? $"[{values}]" : values)}";
    }

    /// <summary>Throws unless this tensor has exactly <paramref name="shape"/>.</summary>
    internal void RequireShape(Shape shape, string operation, string role)
    {
        if (_shape != shape)
        {
            throw new ArgumentException($"{operation}: {role} has shape {_shape} but {shape} is required.");
        }
    }

    /// <summary>Converts a double constant to T without boxing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T C(double value) => T.CreateTruncating(value);
}
