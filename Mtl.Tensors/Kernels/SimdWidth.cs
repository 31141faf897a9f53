using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// One SIMD width: its vector type <typeparamref name="TV"/> and the operations on it that a loop or a
/// function needs, so that each is written once for Vector128, Vector256 and Vector512 (the width structs
/// below are all the per-width code there is). Static abstract members on a struct type argument: the
/// JIT compiles each width separately and inlines every call. (Arithmetic is here too: the reference
/// assemblies do not expose Vector128&lt;T&gt;'s operators as generic-math interfaces.)
/// </summary>
internal interface ISimdWidth<TV, T>
    where TV : struct
    where T : unmanaged
{
    /// <summary>Whether this width runs in hardware rather than in software emulation.</summary>
    static abstract bool IsAccelerated { get; }

    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    static abstract TV Load(ref T source, nuint index);

    static abstract void Store(TV value, ref T destination, nuint index);

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TV Create(T value);

    /// <summary>The op's form at this width.</summary>
    static abstract TV Apply<TOp>(TOp op, TV x)
        where TOp : struct, IUnaryOperator<T>;

    /// <summary>The op's form at this width.</summary>
    static abstract TV Apply<TOp>(TOp op, TV x, TV y)
        where TOp : struct, IBinaryOperator<T>;

    static abstract TV Add(TV x, TV y);

    static abstract TV Subtract(TV x, TV y);

    static abstract TV Multiply(TV x, TV y);

    static abstract TV Divide(TV x, TV y);

    static abstract TV Negate(TV x);

    static abstract TV Exp(TV x);

    static abstract TV Log(TV x);

    static abstract TV Abs(TV x);

    /// <summary>|x| with the sign of <paramref name="sign"/>.</summary>
    static abstract TV CopySign(TV x, TV sign);

    /// <summary>IEEE 754:2019 minimum: NaN-propagating.</summary>
    static abstract TV Min(TV x, TV y);

    /// <summary>IEEE 754:2019 maximum: NaN-propagating.</summary>
    static abstract TV Max(TV x, TV y);

    /// <summary>x·y + z, fused where the hardware has FMA (every lane alike either way).</summary>
    static abstract TV MultiplyAdd(TV x, TV y, TV z);

    static abstract TV Truncate(TV x);

    /// <summary>All-ones lanes where x &lt; y (false for NaN).</summary>
    static abstract TV LessThan(TV x, TV y);

    /// <summary>All-ones lanes where x &gt; y (false for NaN).</summary>
    static abstract TV GreaterThan(TV x, TV y);

    /// <summary>All-ones lanes where x == y (false for NaN).</summary>
    static abstract TV Equals(TV x, TV y);

    /// <summary>Per lane: <paramref name="mask"/> all-ones ? x : y.</summary>
    static abstract TV Select(TV mask, TV x, TV y);
}

/// <summary>Vector128: SSE on x86, NEON (AdvSimd) on ARM64.</summary>
internal readonly struct W128<T> : ISimdWidth<Vector128<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsAccelerated => Vector128.IsHardwareAccelerated;

    public static int Count => Vector128<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(ref T source, nuint index) => Vector128.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    public static Vector128<T> Create(T value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Apply<TOp>(TOp op, Vector128<T> x)
        where TOp : struct, IUnaryOperator<T> => op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Apply<TOp>(TOp op, Vector128<T> x, Vector128<T> y)
        where TOp : struct, IBinaryOperator<T> => op.Invoke(x, y);

    public static Vector128<T> Add(Vector128<T> x, Vector128<T> y) => x + y;

    public static Vector128<T> Subtract(Vector128<T> x, Vector128<T> y) => x - y;

    public static Vector128<T> Multiply(Vector128<T> x, Vector128<T> y) => x * y;

    public static Vector128<T> Divide(Vector128<T> x, Vector128<T> y) => x / y;

    public static Vector128<T> Negate(Vector128<T> x) => -x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Exp(Vector128<T> x) =>
        typeof(T) == typeof(float) ? Vector128.Exp(x.AsSingle()).As<float, T>() : Vector128.Exp(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Log(Vector128<T> x) =>
        typeof(T) == typeof(float) ? Vector128.Log(x.AsSingle()).As<float, T>() : Vector128.Log(x.AsDouble()).As<double, T>();

    public static Vector128<T> Abs(Vector128<T> x) => Vector128.Abs(x);

    public static Vector128<T> CopySign(Vector128<T> x, Vector128<T> sign) => Vector128.CopySign(x, sign);

    public static Vector128<T> Min(Vector128<T> x, Vector128<T> y) => Vector128.Min(x, y);

    public static Vector128<T> Max(Vector128<T> x, Vector128<T> y) => Vector128.Max(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd(Vector128<T> x, Vector128<T> y, Vector128<T> z) => typeof(T) == typeof(float)
        ? Vector128.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
        : Vector128.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Truncate(Vector128<T> x) =>
        typeof(T) == typeof(float) ? Vector128.Truncate(x.AsSingle()).As<float, T>() : Vector128.Truncate(x.AsDouble()).As<double, T>();

    public static Vector128<T> LessThan(Vector128<T> x, Vector128<T> y) => Vector128.LessThan(x, y);

    public static Vector128<T> GreaterThan(Vector128<T> x, Vector128<T> y) => Vector128.GreaterThan(x, y);

    public static Vector128<T> Equals(Vector128<T> x, Vector128<T> y) => Vector128.Equals(x, y);

    public static Vector128<T> Select(Vector128<T> mask, Vector128<T> x, Vector128<T> y) => Vector128.ConditionalSelect(mask, x, y);
}

/// <summary>Vector256: AVX2 on x86.</summary>
internal readonly struct W256<T> : ISimdWidth<Vector256<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    public static int Count => Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(ref T source, nuint index) => Vector256.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    public static Vector256<T> Create(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<TOp>(TOp op, Vector256<T> x)
        where TOp : struct, IUnaryOperator<T> => op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Apply<TOp>(TOp op, Vector256<T> x, Vector256<T> y)
        where TOp : struct, IBinaryOperator<T> => op.Invoke(x, y);

    public static Vector256<T> Add(Vector256<T> x, Vector256<T> y) => x + y;

    public static Vector256<T> Subtract(Vector256<T> x, Vector256<T> y) => x - y;

    public static Vector256<T> Multiply(Vector256<T> x, Vector256<T> y) => x * y;

    public static Vector256<T> Divide(Vector256<T> x, Vector256<T> y) => x / y;

    public static Vector256<T> Negate(Vector256<T> x) => -x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Exp(Vector256<T> x) =>
        typeof(T) == typeof(float) ? Vector256.Exp(x.AsSingle()).As<float, T>() : Vector256.Exp(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Log(Vector256<T> x) =>
        typeof(T) == typeof(float) ? Vector256.Log(x.AsSingle()).As<float, T>() : Vector256.Log(x.AsDouble()).As<double, T>();

    public static Vector256<T> Abs(Vector256<T> x) => Vector256.Abs(x);

    public static Vector256<T> CopySign(Vector256<T> x, Vector256<T> sign) => Vector256.CopySign(x, sign);

    public static Vector256<T> Min(Vector256<T> x, Vector256<T> y) => Vector256.Min(x, y);

    public static Vector256<T> Max(Vector256<T> x, Vector256<T> y) => Vector256.Max(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> x, Vector256<T> y, Vector256<T> z) => typeof(T) == typeof(float)
        ? Vector256.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
        : Vector256.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Truncate(Vector256<T> x) =>
        typeof(T) == typeof(float) ? Vector256.Truncate(x.AsSingle()).As<float, T>() : Vector256.Truncate(x.AsDouble()).As<double, T>();

    public static Vector256<T> LessThan(Vector256<T> x, Vector256<T> y) => Vector256.LessThan(x, y);

    public static Vector256<T> GreaterThan(Vector256<T> x, Vector256<T> y) => Vector256.GreaterThan(x, y);

    public static Vector256<T> Equals(Vector256<T> x, Vector256<T> y) => Vector256.Equals(x, y);

    public static Vector256<T> Select(Vector256<T> mask, Vector256<T> x, Vector256<T> y) => Vector256.ConditionalSelect(mask, x, y);
}

/// <summary>Vector512: AVX-512 on x86.</summary>
internal readonly struct W512<T> : ISimdWidth<Vector512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool IsAccelerated => Vector512.IsHardwareAccelerated;

    public static int Count => Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(ref T source, nuint index) => Vector512.LoadUnsafe(ref source, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, ref T destination, nuint index) => value.StoreUnsafe(ref destination, index);

    public static Vector512<T> Create(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Apply<TOp>(TOp op, Vector512<T> x)
        where TOp : struct, IUnaryOperator<T> => op.Invoke(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Apply<TOp>(TOp op, Vector512<T> x, Vector512<T> y)
        where TOp : struct, IBinaryOperator<T> => op.Invoke(x, y);

    public static Vector512<T> Add(Vector512<T> x, Vector512<T> y) => x + y;

    public static Vector512<T> Subtract(Vector512<T> x, Vector512<T> y) => x - y;

    public static Vector512<T> Multiply(Vector512<T> x, Vector512<T> y) => x * y;

    public static Vector512<T> Divide(Vector512<T> x, Vector512<T> y) => x / y;

    public static Vector512<T> Negate(Vector512<T> x) => -x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Exp(Vector512<T> x) =>
        typeof(T) == typeof(float) ? Vector512.Exp(x.AsSingle()).As<float, T>() : Vector512.Exp(x.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Log(Vector512<T> x) =>
        typeof(T) == typeof(float) ? Vector512.Log(x.AsSingle()).As<float, T>() : Vector512.Log(x.AsDouble()).As<double, T>();

    public static Vector512<T> Abs(Vector512<T> x) => Vector512.Abs(x);

    public static Vector512<T> CopySign(Vector512<T> x, Vector512<T> sign) => Vector512.CopySign(x, sign);

    public static Vector512<T> Min(Vector512<T> x, Vector512<T> y) => Vector512.Min(x, y);

    public static Vector512<T> Max(Vector512<T> x, Vector512<T> y) => Vector512.Max(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> x, Vector512<T> y, Vector512<T> z) => typeof(T) == typeof(float)
        ? Vector512.MultiplyAddEstimate(x.AsSingle(), y.AsSingle(), z.AsSingle()).As<float, T>()
        : Vector512.MultiplyAddEstimate(x.AsDouble(), y.AsDouble(), z.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Truncate(Vector512<T> x) =>
        typeof(T) == typeof(float) ? Vector512.Truncate(x.AsSingle()).As<float, T>() : Vector512.Truncate(x.AsDouble()).As<double, T>();

    public static Vector512<T> LessThan(Vector512<T> x, Vector512<T> y) => Vector512.LessThan(x, y);

    public static Vector512<T> GreaterThan(Vector512<T> x, Vector512<T> y) => Vector512.GreaterThan(x, y);

    public static Vector512<T> Equals(Vector512<T> x, Vector512<T> y) => Vector512.Equals(x, y);

    public static Vector512<T> Select(Vector512<T> mask, Vector512<T> x, Vector512<T> y) => Vector512.ConditionalSelect(mask, x, y);
}
