using System.Numerics;

namespace Mtl.Tensors;

/// <summary>A tensor that can go back to the pool it was rented from.</summary>
public interface IPooledTensor
{
    /// <summary>Returns the storage to this thread's pool. The tensor is released: any later use of it, or
    /// of a view made of it, throws <see cref="ReleasedTensorException"/>.</summary>
    void ReturnToPool();
}

/// <summary>
/// A per-thread pool of tensor storage keyed by exact element count, and of the tensor objects that wrap
/// it. The autograd tape leases every intermediate value and gradient from it and returns them when the
/// tape is released, so a training loop that repeats the same step reaches a steady state that allocates
/// nothing.
/// </summary>
/// <remarks>
/// <para>Storage is always reused. A tensor object is reused only if no handle to it ever left the
/// engine; an object a caller saw (<c>Var.Data</c>, <c>Var.Grad</c>, a hook's argument, <see cref="Rent"/>)
/// is retired instead, so its every later use throws rather than aliasing a newer value.</para>
/// <para>Per thread because tapes are per thread: renting and returning never contend. A tensor rented on
/// one thread and returned on another simply moves to that thread's pool.</para>
/// </remarks>
public static class TensorPool<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static Dictionary<int, Stack<T[]>>? _buffers;

    [ThreadStatic]
    private static Stack<Tensor<T>>? _tensors;

    /// <summary>A tensor of <paramref name="shape"/> on pooled storage, zero-filled when <paramref name="clear"/>,
    /// otherwise with arbitrary contents. It is the caller's until <see cref="IPooledTensor.ReturnToPool"/>,
    /// which releases it.</summary>
    public static Tensor<T> Rent(Shape shape, bool clear)
    {
        var t = Lease(shape, clear);
        t.MarkRentedByCaller();
        return t;
    }

    /// <summary>A tensor on pooled storage for the engine's own use (the object may be reused after <see cref="Return"/>).</summary>
    internal static Tensor<T> Lease(Shape shape, bool clear)
    {
        T[] buffer;
        int n = shape.Length;
        if (n == 0)
        {
            buffer = [];
        }
        else if ((_buffers ??= []).TryGetValue(n, out var stack) && stack.Count > 0)
        {
            buffer = stack.Pop();
            if (clear)
            {
                Array.Clear(buffer);
            }
        }
        else
        {
            buffer = new T[n];
        }

        var t = NextObject();
        t.Lease(buffer, 0, shape, TensorLease.PooledStorage);
        return t;
    }

    /// <summary>A pool object viewing <paramref name="source"/>'s storage in <paramref name="shape"/> (an op's
    /// reshaped output), released with the tape like any other value it leased.</summary>
    internal static Tensor<T> LeaseView(Tensor<T> source, Shape shape)
    {
        if (shape.Length != source.Length)
        {
            throw new ArgumentException($"Reshape: cannot view a tensor of shape {source.Shape} ({source.Length} elements) as {shape} ({shape.Length} elements).", nameof(shape));
        }

        var t = NextObject();
        t.Lease(source.Buffer, source.Offset, shape, TensorLease.PooledView);
        return t;
    }

    /// <summary>Takes back a tensor from <see cref="Lease"/>, <see cref="LeaseView"/> or <see cref="Rent"/>:
    /// its storage (not a view's) goes back to the pool, views made of it are released, and the object is
    /// reused unless a handle to it escaped, in which case it stays released for good.</summary>
    internal static void Return(Tensor<T> tensor)
    {
        if (tensor.IsReleased)
        {
            throw new InvalidOperationException($"ReturnToPool: tensor {tensor.Shape} was already returned.");
        }

        if (tensor.PooledStorage is { Length: > 0 } buffer)
        {
            var buffers = _buffers ??= [];
            if (!buffers.TryGetValue(buffer.Length, out var stack))
            {
                stack = new Stack<T[]>();
                buffers.Add(buffer.Length, stack);
            }

            stack.Push(buffer);
        }

        if (tensor.EndLease())
        {
            (_tensors ??= new Stack<Tensor<T>>()).Push(tensor);
        }
    }

    /// <summary>Number of idle buffers held by this thread's pool (for tests and diagnostics).</summary>
    public static int IdleBuffers => _buffers?.Values.Sum(s => s.Count) ?? 0;

    /// <summary>Drops every idle buffer and tensor object of this thread's pool.</summary>
    public static void Trim()
    {
        _buffers?.Clear();
        _tensors?.Clear();
    }

    private static Tensor<T> NextObject() =>
        _tensors is { Count: > 0 } tensors ? tensors.Pop() : Tensor<T>.NewPoolObject();
}
