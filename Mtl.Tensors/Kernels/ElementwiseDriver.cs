using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// One driver per shape of element-wise operation (unary, binary, binary with a scalar on either side,
/// and the accumulating binary of backward rules). Each picks the widest vector the hardware runs that
/// fits the input, Vector512, Vector256 or Vector128 (so ARM64 and x86 without AVX2 get Vector128 code),
/// and runs <see cref="SimdLoops{TV, TW, T}"/> at that width; inputs shorter than one Vector128, and
/// machines without SIMD, get the scalar form. Destinations may alias an input exactly (in place), never
/// partially.
/// </summary>
internal static class ElementwiseDriver
{
    /// <summary>destination[i] = op(x[i]).</summary>
    public static void Unary<T, TOp>(ReadOnlySpan<T> x, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOperator<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException($"Element-wise op: destination of {destination.Length} elements is shorter than the input of {x.Length}.", nameof(destination));
        }

        int n = x.Length;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (W512<T>.IsAccelerated && n >= W512<T>.Count)
        {
            SimdLoops<Vector512<T>, W512<T>, T>.Unary(ref xr, ref dr, (nuint)n, op);
        }
        else if (W256<T>.IsAccelerated && n >= W256<T>.Count)
        {
            SimdLoops<Vector256<T>, W256<T>, T>.Unary(ref xr, ref dr, (nuint)n, op);
        }
        else if (W128<T>.IsAccelerated && n >= W128<T>.Count)
        {
            SimdLoops<Vector128<T>, W128<T>, T>.Unary(ref xr, ref dr, (nuint)n, op);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i));
            }
        }
    }

    /// <summary>destination[i] = op(x[i], y[i]).</summary>
    public static void Binary<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        if (y.Length != x.Length || destination.Length < x.Length)
        {
            throw new ArgumentException($"Element-wise op: operand lengths {x.Length}, {y.Length} and destination {destination.Length} do not match.", nameof(destination));
        }

        int n = x.Length;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (W512<T>.IsAccelerated && n >= W512<T>.Count)
        {
            SimdLoops<Vector512<T>, W512<T>, T>.Binary(ref xr, ref yr, ref dr, (nuint)n, op);
        }
        else if (W256<T>.IsAccelerated && n >= W256<T>.Count)
        {
            SimdLoops<Vector256<T>, W256<T>, T>.Binary(ref xr, ref yr, ref dr, (nuint)n, op);
        }
        else if (W128<T>.IsAccelerated && n >= W128<T>.Count)
        {
            SimdLoops<Vector128<T>, W128<T>, T>.Binary(ref xr, ref yr, ref dr, (nuint)n, op);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
            }
        }
    }

    /// <summary>destination[i] = op(x[i], y) for a scalar y.</summary>
    public static void Binary<T, TOp>(ReadOnlySpan<T> x, T y, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException($"Element-wise op: destination of {destination.Length} elements is shorter than the input of {x.Length}.", nameof(destination));
        }

        int n = x.Length;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (W512<T>.IsAccelerated && n >= W512<T>.Count)
        {
            SimdLoops<Vector512<T>, W512<T>, T>.Binary(ref xr, y, ref dr, (nuint)n, op);
        }
        else if (W256<T>.IsAccelerated && n >= W256<T>.Count)
        {
            SimdLoops<Vector256<T>, W256<T>, T>.Binary(ref xr, y, ref dr, (nuint)n, op);
        }
        else if (W128<T>.IsAccelerated && n >= W128<T>.Count)
        {
            SimdLoops<Vector128<T>, W128<T>, T>.Binary(ref xr, y, ref dr, (nuint)n, op);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref dr, i) = op.Invoke(Unsafe.Add(ref xr, i), y);
            }
        }
    }

    /// <summary>destination[i] = op(x, y[i]) for a scalar x.</summary>
    public static void Binary<T, TOp>(T x, ReadOnlySpan<T> y, Span<T> destination, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        if (destination.Length < y.Length)
        {
            throw new ArgumentException($"Element-wise op: destination of {destination.Length} elements is shorter than the input of {y.Length}.", nameof(destination));
        }

        int n = y.Length;
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (W512<T>.IsAccelerated && n >= W512<T>.Count)
        {
            SimdLoops<Vector512<T>, W512<T>, T>.Binary(x, ref yr, ref dr, (nuint)n, op);
        }
        else if (W256<T>.IsAccelerated && n >= W256<T>.Count)
        {
            SimdLoops<Vector256<T>, W256<T>, T>.Binary(x, ref yr, ref dr, (nuint)n, op);
        }
        else if (W128<T>.IsAccelerated && n >= W128<T>.Count)
        {
            SimdLoops<Vector128<T>, W128<T>, T>.Binary(x, ref yr, ref dr, (nuint)n, op);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref dr, i) = op.Invoke(x, Unsafe.Add(ref yr, i));
            }
        }
    }

    /// <summary>
    /// The backward shape: destination[i] += op(x[i], y[i]) when <paramref name="accumulate"/>, else
    /// destination[i] = op(x[i], y[i]) (a fresh gradient holds nothing yet: writing saves clearing it and
    /// reading it back).
    /// </summary>
    public static void Accumulate<T, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination, TOp op, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        if (!accumulate)
        {
            Binary(x, y, destination, op);
            return;
        }

        if (y.Length != x.Length || destination.Length != x.Length)
        {
            throw new ArgumentException($"Accumulating op: operand lengths {x.Length}, {y.Length} and destination {destination.Length} do not match.", nameof(destination));
        }

        int n = x.Length;
        ref T xr = ref MemoryMarshal.GetReference(x);
        ref T yr = ref MemoryMarshal.GetReference(y);
        ref T dr = ref MemoryMarshal.GetReference(destination);
        if (W512<T>.IsAccelerated && n >= W512<T>.Count)
        {
            SimdLoops<Vector512<T>, W512<T>, T>.Accumulate(ref xr, ref yr, ref dr, (nuint)n, op);
        }
        else if (W256<T>.IsAccelerated && n >= W256<T>.Count)
        {
            SimdLoops<Vector256<T>, W256<T>, T>.Accumulate(ref xr, ref yr, ref dr, (nuint)n, op);
        }
        else if (W128<T>.IsAccelerated && n >= W128<T>.Count)
        {
            SimdLoops<Vector128<T>, W128<T>, T>.Accumulate(ref xr, ref yr, ref dr, (nuint)n, op);
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                Unsafe.Add(ref dr, i) += op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
            }
        }
    }
}
