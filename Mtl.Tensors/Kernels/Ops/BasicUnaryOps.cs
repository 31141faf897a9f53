using System.Numerics;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

// Exact or correctly rounded at every width (sqrt and division are IEEE operations), except exp and log,
// whose vector forms are .NET's (within 2 ulps; the scalar forms are T.Exp and T.Log). Each backward op
// sits under its forward: (u, dy) ↦ dy·f'(u) with u the input x or the saved output y, as named.

/// <summary>−x.</summary>
internal readonly struct NegateOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => -x;

    public Vector128<T> Invoke(Vector128<T> x) => -x;

    public Vector256<T> Invoke(Vector256<T> x) => -x;

    public Vector512<T> Invoke(Vector512<T> x) => -x;
}

/// <summary>|x|.</summary>
internal readonly struct AbsOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Abs(x);

    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Abs(x);

    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Abs(x);

    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Abs(x);
}

/// <summary>(x, dy) ↦ sign(x)·dy, 0 at x = 0 (and NaN), as PyTorch's abs backward.</summary>
internal readonly struct AbsBackwardOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => x > T.Zero ? dy : x < T.Zero ? -dy : T.Zero;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) =>
        (Vector128.GreaterThan(x, Vector128<T>.Zero) & dy) | (Vector128.LessThan(x, Vector128<T>.Zero) & -dy);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) =>
        (Vector256.GreaterThan(x, Vector256<T>.Zero) & dy) | (Vector256.LessThan(x, Vector256<T>.Zero) & -dy);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) =>
        (Vector512.GreaterThan(x, Vector512<T>.Zero) & dy) | (Vector512.LessThan(x, Vector512<T>.Zero) & -dy);
}

/// <summary>x².</summary>
internal readonly struct SquareOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x * x;

    public Vector128<T> Invoke(Vector128<T> x) => x * x;

    public Vector256<T> Invoke(Vector256<T> x) => x * x;

    public Vector512<T> Invoke(Vector512<T> x) => x * x;
}

/// <summary>(x, dy) ↦ 2x·dy.</summary>
internal readonly struct SquareBackwardOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => (x + x) * dy;

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => (x + x) * dy;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => (x + x) * dy;

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => (x + x) * dy;
}

/// <summary>√x.</summary>
internal readonly struct SqrtOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Sqrt(x);

    public Vector128<T> Invoke(Vector128<T> x) => Vector128.Sqrt(x);

    public Vector256<T> Invoke(Vector256<T> x) => Vector256.Sqrt(x);

    public Vector512<T> Invoke(Vector512<T> x) => Vector512.Sqrt(x);
}

/// <summary>(y, dy) ↦ ½dy/y with y = √x.</summary>
internal readonly struct SqrtBackwardOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static T Half => T.CreateTruncating(0.5);

    public T Invoke(T y, T dy) => Half * dy / y;

    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => Vector128.Create(Half) * dy / y;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => Vector256.Create(Half) * dy / y;

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => Vector512.Create(Half) * dy / y;
}

/// <summary>1/x (a division, not the hardware's reciprocal estimate).</summary>
internal readonly struct ReciprocalOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.One / x;

    public Vector128<T> Invoke(Vector128<T> x) => Vector128<T>.One / x;

    public Vector256<T> Invoke(Vector256<T> x) => Vector256<T>.One / x;

    public Vector512<T> Invoke(Vector512<T> x) => Vector512<T>.One / x;
}

/// <summary>(y, dy) ↦ −y²·dy with y = 1/x.</summary>
internal readonly struct ReciprocalBackwardOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy) => -(y * y * dy);

    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => -(y * y * dy);

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => -(y * y * dy);

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => -(y * y * dy);
}

/// <summary>eˣ; its backward is dy·y (<see cref="MultiplyOp{T}"/>).</summary>
internal readonly struct ExpOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Exp(x);

    public Vector128<T> Invoke(Vector128<T> x) => W128<T>.Exp(x);

    public Vector256<T> Invoke(Vector256<T> x) => W256<T>.Exp(x);

    public Vector512<T> Invoke(Vector512<T> x) => W512<T>.Exp(x);
}

/// <summary>ln x; its backward is dy/x (<see cref="DivideOp{T}"/>).</summary>
internal readonly struct LogOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.Log(x);

    public Vector128<T> Invoke(Vector128<T> x) => W128<T>.Log(x);

    public Vector256<T> Invoke(Vector256<T> x) => W256<T>.Log(x);

    public Vector512<T> Invoke(Vector512<T> x) => W512<T>.Log(x);
}
