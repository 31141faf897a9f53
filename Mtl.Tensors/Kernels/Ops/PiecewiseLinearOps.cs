using System.Numerics;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

// Piecewise-linear activations, exact at every width; each backward op sits under its forward.

/// <summary>max(x, 0); NaN stays NaN as in torch.relu.</summary>
internal readonly struct ReluOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x > T.Zero ? x : (T.IsNaN(x) ? x : T.Zero);

    public Vector128<T> Invoke(Vector128<T> x) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero) | ~Vector128.Equals(x, x), x, Vector128<T>.Zero);

    public Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero) | ~Vector256.Equals(x, x), x, Vector256<T>.Zero);

    public Vector512<T> Invoke(Vector512<T> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero) | ~Vector512.Equals(x, x), x, Vector512<T>.Zero);
}

/// <summary>(x, dy) ↦ dy where x &gt; 0, else 0.</summary>
internal readonly struct ReluBackwardOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => x > T.Zero ? dy : T.Zero;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Vector128.GreaterThan(x, Vector128<T>.Zero) & dy;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Vector256.GreaterThan(x, Vector256<T>.Zero) & dy;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Vector512.GreaterThan(x, Vector512<T>.Zero) & dy;
}

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
internal readonly struct LeakyReluOp<T>(T slope) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x > T.Zero ? x : x * slope;

    public Vector128<T> Invoke(Vector128<T> x) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * Vector128.Create(slope));

    public Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * Vector256.Create(slope));

    public Vector512<T> Invoke(Vector512<T> x) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * Vector512.Create(slope));
}

/// <summary>(x, dy) ↦ dy where x &gt; 0, else slope·dy.</summary>
internal readonly struct LeakyReluBackwardOp<T>(T slope) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => x > T.Zero ? dy : dy * slope;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy, dy * Vector128.Create(slope));

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * Vector256.Create(slope));

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, dy * Vector512.Create(slope));
}

/// <summary>min(max(x, lo), hi), NaN-propagating as torch.clamp.</summary>
internal readonly struct ClampOp<T>(T min, T max) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Min(T.Max(x, min), max);

    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Min(Vector128.Max(x, Vector128.Create(min)), Vector128.Create(max));

    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(min)), Vector256.Create(max));

    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(min)), Vector512.Create(max));
}

/// <summary>(x, dy) ↦ dy where lo ≤ x ≤ hi, else 0.</summary>
internal readonly struct ClampBackwardOp<T>(T min, T max) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => x >= min && x <= max ? dy : T.Zero;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) =>
        Vector128.GreaterThanOrEqual(x, Vector128.Create(min)) & Vector128.LessThanOrEqual(x, Vector128.Create(max)) & dy;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) =>
        Vector256.GreaterThanOrEqual(x, Vector256.Create(min)) & Vector256.LessThanOrEqual(x, Vector256.Create(max)) & dy;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) =>
        Vector512.GreaterThanOrEqual(x, Vector512.Create(min)) & Vector512.LessThanOrEqual(x, Vector512.Create(max)) & dy;
}
