using System.Numerics;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>σ(x) = 1/(1 + e⁻ˣ), in T with the vector Exp of each width (within 4 ulps).</summary>
internal readonly struct SigmoidOp<T> : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => T.One / (T.One + T.Exp(-x));

    public Vector128<T> Invoke(Vector128<T> x) => Vector128<T>.One / (Vector128<T>.One + W128<T>.Exp(-x));

    public Vector256<T> Invoke(Vector256<T> x) => Vector256<T>.One / (Vector256<T>.One + W256<T>.Exp(-x));

    public Vector512<T> Invoke(Vector512<T> x) => Vector512<T>.One / (Vector512<T>.One + W512<T>.Exp(-x));
}

/// <summary>(y, dy) ↦ y(1 − y)·dy with y = σ(x).</summary>
internal readonly struct SigmoidBackwardOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy) => y * (T.One - y) * dy;

    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => y * (Vector128<T>.One - y) * dy;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => y * (Vector256<T>.One - y) * dy;

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => y * (Vector512<T>.One - y) * dy;
}

/// <summary>
/// tanh x in double (both element types use it through <see cref="InDouble{T, TOp}"/>). The scalar form is
/// Math.Tanh; the vector forms are <see cref="VectorMath{TV, TW}.Tanh"/>. Not TensorPrimitives.Tanh: it
/// takes expm1 as exp − 1, which cancels near 0 (1240 ulps at x = 3e-4 in float).
/// </summary>
internal readonly struct TanhOp : IUnaryOperator<double>
{
    public double Invoke(double x) => Math.Tanh(x);

    public Vector128<double> Invoke(Vector128<double> x) => VectorMath<Vector128<double>, W128<double>>.Tanh(x);

    public Vector256<double> Invoke(Vector256<double> x) => VectorMath<Vector256<double>, W256<double>>.Tanh(x);

    public Vector512<double> Invoke(Vector512<double> x) => VectorMath<Vector512<double>, W512<double>>.Tanh(x);
}

/// <summary>(y, dy) ↦ (1 − y²)·dy with y = tanh x.</summary>
internal readonly struct TanhBackwardOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy) => (T.One - (y * y)) * dy;

    public Vector128<T> Invoke(Vector128<T> y, Vector128<T> dy) => (Vector128<T>.One - (y * y)) * dy;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => (Vector256<T>.One - (y * y)) * dy;

    public Vector512<T> Invoke(Vector512<T> y, Vector512<T> dy) => (Vector512<T>.One - (y * y)) * dy;
}
