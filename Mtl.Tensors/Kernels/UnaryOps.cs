using System.Numerics;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>max(x, 0); NaN stays NaN as in torch.relu.</summary>
internal readonly struct ReluOp<T> : IUnaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x > T.Zero ? x : (T.IsNaN(x) ? x : T.Zero);

    public Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero) | ~Vector256.Equals(x, x), x, Vector256<T>.Zero);
}

/// <summary>x for x &gt; 0, slope·x otherwise.</summary>
internal readonly struct LeakyReluOp<T>(T slope) : IUnaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x) => x > T.Zero ? x : x * slope;

    public Vector256<T> Invoke(Vector256<T> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * Vector256.Create(slope));
}

/// <summary>1 where x &gt; 0 else 0, times dy: the ReLU derivative applied to an upstream gradient.</summary>
internal readonly struct ReluBackwardOp<T> : IBinaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => x > T.Zero ? dy : T.Zero;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Vector256.GreaterThan(x, Vector256<T>.Zero) & dy;
}

/// <summary>dy where x &gt; 0 else slope·dy.</summary>
internal readonly struct LeakyReluBackwardOp<T>(T slope) : IBinaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => x > T.Zero ? dy : dy * slope;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, dy * Vector256.Create(slope));
}

/// <summary>Scalar element-wise functions with no SIMD form here (they are not on the hot path of the
/// models Mtl benchmarks); each is written once, in double, and cast.</summary>
internal static class ScalarFunctions
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;
    private const double SqrtTwoOverPi = 0.79788456080286535588;
    private const double GeluTanhCoefficient = 0.044715;

    /// <summary>GELU(x) = x·Φ(x) = ½x(1 + erf(x/√2)).</summary>
    public static double Gelu(double x) => 0.5 * x * (1.0 + SpecialFunctions.Erf(x * InvSqrt2));

    /// <summary>d GELU/dx = Φ(x) + x·φ(x).</summary>
    public static double GeluDerivative(double x) =>
        (0.5 * (1.0 + SpecialFunctions.Erf(x * InvSqrt2))) + (x * InvSqrt2Pi * Math.Exp(-0.5 * x * x));

    /// <summary>GELU's tanh approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public static double GeluTanh(double x) =>
        0.5 * x * (1.0 + Math.Tanh(SqrtTwoOverPi * (x + (GeluTanhCoefficient * x * x * x))));

    /// <summary>Derivative of <see cref="GeluTanh"/>: with u = √(2/π)(x + c·x³), t = tanh u,
    /// d/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3c·x²).</summary>
    public static double GeluTanhDerivative(double x)
    {
        double t = Math.Tanh(SqrtTwoOverPi * (x + (GeluTanhCoefficient * x * x * x)));
        return (0.5 * (1.0 + t)) + (0.5 * x * (1.0 - (t * t)) * SqrtTwoOverPi * (1.0 + (3.0 * GeluTanhCoefficient * x * x)));
    }

    /// <summary>Softplus as torch.nn.functional.softplus: log(1 + e^(βx))/β, and x itself once βx exceeds the threshold.</summary>
    public static double Softplus(double x, double beta, double threshold) =>
        beta * x > threshold ? x : Math.Max(x, 0) + (double.LogP1(Math.Exp(-Math.Abs(beta * x))) / beta);

    /// <summary>d softplus/dx = σ(βx) below the threshold, 1 above it.</summary>
    public static double SoftplusDerivative(double x, double beta, double threshold) =>
        beta * x > threshold ? 1.0 : 1.0 / (1.0 + Math.Exp(-beta * x));
}
