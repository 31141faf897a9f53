using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>An element-wise function of one value, for a scalar and for a whole SIMD vector.</summary>
/// <remarks>A struct implementing this is passed by value so the JIT specialises and inlines the driver
/// for each op (the TensorPrimitives operator-struct pattern); fields carry parameters such as a slope.</remarks>
internal interface IUnaryOp<T>
    where T : unmanaged
{
    T Invoke(T x);

    Vector256<T> Invoke(Vector256<T> x);
}

/// <summary>An element-wise function of two values, for scalars and for SIMD vectors.</summary>
internal interface IBinaryOp<T>
    where T : unmanaged
{
    T Invoke(T x, T y);

    Vector256<T> Invoke(Vector256<T> x, Vector256<T> y);
}

/// <summary>
/// A binary op over runs of elements: both operands vectors, or one of them a scalar repeated. The
/// broadcasting driver reduces every broadcast to calls of these three shapes.
/// </summary>
internal interface IBinarySpanOp<T>
    where T : unmanaged
{
    void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination);

    void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination);

    void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination);
}

/// <summary>
/// The SIMD loops for operator structs: a Vector256 main loop and a scalar remainder. Destinations may
/// alias an input exactly (in-place), never partially.
/// </summary>
internal static class ElementwiseDriver
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<T, TOp>(ReadOnlySpan<T> x, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOp<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException($"Element-wise op: destination of {destination.Length} elements is shorter than the input of {x.Length}.", nameof(destination));
        }

        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            for (; i <= n - w; i += w)
            {
                op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp<T>
    {
        if (y.Length != x.Length || destination.Length < x.Length)
        {
            throw new ArgumentException($"Element-wise op: operand lengths {x.Length}, {y.Length} and destination {destination.Length} do not match.", nameof(destination));
        }

        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            for (; i <= n - w; i += w)
            {
                op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<T, TOp>(ReadOnlySpan<T> x, T y, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException($"Element-wise op: destination of {destination.Length} elements is shorter than the input of {x.Length}.", nameof(destination));
        }

        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            var yv = Vector256.Create(y);
            for (; i <= n - w; i += w)
            {
                op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), yv).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), y);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<T, TOp>(T x, ReadOnlySpan<T> y, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp<T>
    {
        if (destination.Length < y.Length)
        {
            throw new ArgumentException($"Element-wise op: destination of {destination.Length} elements is shorter than the input of {y.Length}.", nameof(destination));
        }

        int n = y.Length, i = 0;
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            var xv = Vector256.Create(x);
            for (; i <= n - w; i += w)
            {
                op.Invoke(xv, Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) = op.Invoke(x, Unsafe.Add(ref yr, i));
        }
    }
}

/// <summary>Accumulating loops: destination += op(x, y), the shape of most backward rules (a gradient
/// adds the local derivative times the upstream gradient into what other paths already added).</summary>
internal static class AccumulateDriver
{
    /// <summary>destination += op(x, y) when <paramref name="accumulate"/>, else destination = op(x, y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, TOp op, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp<T>
    {
        if (accumulate)
        {
            Binary(x, y, destination, op);
        }
        else
        {
            ElementwiseDriver.Binary(x, y, destination, op);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOp<T>
    {
        if (y.Length != x.Length || destination.Length != x.Length)
        {
            throw new ArgumentException($"Accumulating op: operand lengths {x.Length}, {y.Length} and destination {destination.Length} do not match.", nameof(destination));
        }

        int n = x.Length, i = 0;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            int w = Vector256<T>.Count;
            for (; i <= n - w; i += w)
            {
                var acc = Vector256.LoadUnsafe(ref dr, (nuint)i);
                (acc + op.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i))).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dr, i) += op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        }
    }
}

/// <summary>Adapts a vectorised <see cref="IBinaryOp{T}"/> to the span shapes the broadcasting driver calls.</summary>
internal readonly struct VectorizedSpanOp<T, TOp>(TOp op) : IBinarySpanOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IBinaryOp<T>
{
    public void Invoke(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination) => ElementwiseDriver.Binary(x, y, destination, op);

    public void Invoke(ReadOnlySpan<T> x, T y, Span<T> destination) => ElementwiseDriver.Binary(x, y, destination, op);

    public void Invoke(T x, ReadOnlySpan<T> y, Span<T> destination) => ElementwiseDriver.Binary(x, y, destination, op);
}
