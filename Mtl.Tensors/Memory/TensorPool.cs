using System.Numerics;

namespace Mtl.Tensors;

/// <summary>A tensor that can go back to the pool it was rented from.</summary>
public interface IPooledTensor
{
    /// <summary>Returns the storage (and the tensor object) to this thread's pool; the tensor must not be used afterwards.</summary>
    void ReturnToPool();
}

/// <summary>
/// A per-thread pool of tensors keyed by exact element count. The autograd tape rents every
/// intermediate value and gradient from it and returns them when the tape is released, so a training
/// loop that repeats the same step reaches a steady state that allocates no tensor memory.
/// </summary>
/// <remarks>Per thread because tapes are per thread: renting and returning never contend. A tensor
/// rented on one thread and returned on another simply moves to that thread's pool.</remarks>
public static class TensorPool<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static Dictionary<int, Stack<T[]>>? _buffers;

    [ThreadStatic]
    private static Stack<Tensor<T>>? _tensors;

    /// <summary>A tensor of <paramref name="shape"/>; zero-filled when <paramref name="clear"/>, otherwise with arbitrary contents.</summary>
    public static Tensor<T> Rent(Shape shape, bool clear)
    {
        var buffers = _buffers ??= [];
        T[] buffer;
        int n = shape.Length;
        if (n == 0)
        {
            buffer = [];
        }
        else if (buffers.TryGetValue(n, out var stack) && stack.Count > 0)
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

        var tensors = _tensors ??= new Stack<Tensor<T>>();
        if (tensors.Count > 0)
        {
            var t = tensors.Pop();
            t.Reset(buffer, 0, shape);
            return t;
        }

        return new Tensor<T>(buffer, 0, shape) { IsPooled = true };
    }

    /// <summary>Takes back a tensor from <see cref="Rent"/>.</summary>
    internal static void Return(Tensor<T> tensor)
    {
        var buffer = tensor.Buffer;
        if (buffer.Length > 0)
        {
            var buffers = _buffers ??= [];
            if (!buffers.TryGetValue(buffer.Length, out var stack))
            {
                stack = new Stack<T[]>();
                buffers.Add(buffer.Length, stack);
            }

            stack.Push(buffer);
        }

        tensor.Reset([], 0, default);
        (_tensors ??= new Stack<Tensor<T>>()).Push(tensor);
    }

    /// <summary>Number of idle buffers held by this thread's pool (for tests and diagnostics).</summary>
    public static int IdleBuffers => _buffers?.Values.Sum(s => s.Count) ?? 0;

    /// <summary>Drops every idle buffer of this thread's pool.</summary>
    public static void Trim()
    {
        _buffers?.Clear();
        _tensors?.Clear();
    }
}
