namespace Mtl.Tensors.Kernels;

/// <summary>The scalar forms, in double, of the GELU and softplus ops (their vector forms are
/// <see cref="VectorMath{TV, TW}"/>'s): the accurate references the vector forms are tested against.</summary>
internal static class ScalarFunctions
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;
    private const double SqrtTwoOverPi = 0.79788456080286535588;
    private const double GeluTanhCoefficient = 0.044715;

    /// <summary>GELU(x) = x·Φ(x) = ½x·erfc(−x/√2). The textbook ½x(1 + erf(x/√2)) cancels for x &lt; 0
    /// (250 ulps at x = −3.2, and exactly 0 below x ≈ −8.5); erfc keeps full relative accuracy.</summary>
    public static double Gelu(double x) => 0.5 * x * SpecialFunctions.Erfc(-x * InvSqrt2);

    /// <summary>d GELU/dx = Φ(x) + x·φ(x), with Φ(x) = ½erfc(−x/√2) for the same reason as <see cref="Gelu"/>.</summary>
    public static double GeluDerivative(double x) =>
        (0.5 * SpecialFunctions.Erfc(-x * InvSqrt2)) + (x * InvSqrt2Pi * Math.Exp(-0.5 * x * x));

    /// <summary>GELU's tanh approximation ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), evaluated as the
    /// identical x·σ(2u): 1 + tanh u cancels for u ≪ 0, σ does not.</summary>
    public static double GeluTanh(double x) => x * Sigmoid(2.0 * GeluTanhArgument(x));

    /// <summary>Derivative of <see cref="GeluTanh"/>: with u = √(2/π)(x + c·x³) and s = σ(2u) (so that
    /// ½(1 + tanh u) = s and ½(1 − tanh² u) = 2s(1 − s)), d/dx = s + 2x·s·σ(−2u)·√(2/π)(1 + 3c·x²).</summary>
    public static double GeluTanhDerivative(double x)
    {
        double u = GeluTanhArgument(x);
        double s = Sigmoid(2.0 * u);
        return s + (2.0 * x * s * Sigmoid(-2.0 * u) * SqrtTwoOverPi * (1.0 + (3.0 * GeluTanhCoefficient * x * x)));
    }

    /// <summary>Softplus as torch.nn.functional.softplus: log(1 + e^(βx))/β, and x itself once βx exceeds the threshold.</summary>
    public static double Softplus(double x, double beta, double threshold) =>
        beta * x > threshold ? x : Math.Max(x, 0) + (LogOnePlus(Math.Exp(-Math.Abs(beta * x))) / beta);

    /// <summary>ln(1 + y) accurate for tiny y. .NET's double.LogP1 is plain Log(1 + y), which loses all
    /// digits once y &lt; 2⁻⁵³ (softplus(−40) came out 0). With u = 1 + y rounded, ln(u)·y/(u − 1) cancels
    /// the rounding of u (Goldberg 1991, "What every computer scientist should know about floating-point
    /// arithmetic", Theorem 4).</summary>
    public static double LogOnePlus(double y)
    {
        double u = 1.0 + y;
        return u == 1.0 ? y : Math.Log(u) * y / (u - 1.0);
    }

    /// <summary>σ(x) = 1/(1 + e⁻ˣ), written so that neither side of 0 cancels or overflows.</summary>
    public static double Sigmoid(double x)
    {
        if (x >= 0)
        {
            return 1.0 / (1.0 + Math.Exp(-x));
        }

        double e = Math.Exp(x);
        return e / (1.0 + e);
    }

    private static double GeluTanhArgument(double x) => SqrtTwoOverPi * (x + (GeluTanhCoefficient * x * x * x));

    /// <summary>d softplus/dx = σ(βx) below the threshold, 1 above it.</summary>
    public static double SoftplusDerivative(double x, double beta, double threshold) =>
        beta * x > threshold ? 1.0 : 1.0 / (1.0 + Math.Exp(-beta * x));
}
