using System.Runtime.CompilerServices;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// The transcendental functions .NET has no vector form of (tanh, erfc and what is built on them), written
/// once in double for every SIMD width <typeparamref name="TW"/>. Float callers go through
/// <see cref="InDouble{T, TOp}"/>. Accuracy in double, measured against mpmath by
/// vector_math_coefficients.py and the tests: tanh within 3 ulps, erfc within 5, most of it from the vector
/// Exp (2 ulps) the formulas share; the scalar forms of the ops (Math.Tanh, <see cref="SpecialFunctions"/>)
/// remain the references. Every branch is computed for every lane and the lanes pick theirs.
/// </summary>
internal static partial class VectorMath<TV, TW>
    where TV : struct
    where TW : struct, ISimdWidth<TV, double>
{
    private const double InvSqrt2 = 0.70710678118654752440;
    private const double InvSqrt2Pi = 0.39894228040143267794;
    private const double SqrtTwoOverPi = 0.79788456080286535588;
    private const double GeluTanhCoefficient = 0.044715;

    /// <summary>
    /// tanh x = x + x·t·h(t) with t = x² for |x| &lt; ½ (h a polynomial, <see cref="TanhSmall"/>), and
    /// sign(x)·(1 − 2/(e^(2|x|) + 1)) above, where the subtraction loses at most a bit. e^(2|x|) = ∞ gives
    /// exactly ±1, as tanh is in double from |x| ≈ 19.1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh(TV x)
    {
        TV a = TW.Abs(x), t = Mul(x, x);
        TV small = TW.MultiplyAdd(Mul(x, t), Polynomial(t, TanhSmall), x);
        TV e = TW.Exp(Add(a, a));
        TV large = TW.CopySign(Sub(C(1), Div(C(2), Add(e, C(1)))), x);
        return TW.Select(TW.LessThan(a, C(0.5)), small, large);
    }

    /// <summary>σ(x) = 1/(1 + e⁻ˣ): no cancellation on either side of 0, and 0 and 1 at ∓∞.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid(TV x) => Div(C(1), Add(C(1), TW.Exp(TW.Negate(x))));

    /// <summary>
    /// erfc z to full relative accuracy in both tails: 1 − z·e(z²) for |z| &lt; ½ (erf is below ½ there),
    /// and for a = |z| ≥ ½ e^(−a²)·F(t)/(1 + 2a) with t = (a − 3)/(a + 3), F a polynomial
    /// (<see cref="ErfcLarge"/>; Shepherd and Laframboise, Math. Comp. 36 (1981)); erfc(−a) = 2 − erfc(a).
    /// a is capped at 40, where erfc has long underflowed, so that a = ∞ gives 0 (and 2) rather than NaN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Erfc(TV z)
    {
        TV small = Sub(C(1), Mul(z, Polynomial(Mul(z, z), ErfSmall)));
        TV a = TW.Min(TW.Abs(z), C(40));
        TV t = Div(Sub(a, C(3)), Add(a, C(3)));
        TV r = Div(Mul(ExpMinusSquare(a), Polynomial(t, ErfcLarge)), Add(C(1), Add(a, a)));
        TV large = TW.Select(TW.LessThan(z, C(0)), Sub(C(2), r), r);
        return TW.Select(TW.LessThan(TW.Abs(z), C(0.5)), small, large);
    }

    /// <summary>ln(1 + y) accurate for tiny y: with u = 1 + y rounded, ln(u)·y/(u − 1) cancels the rounding
    /// of u (Goldberg 1991, Theorem 4), and u = 1 means ln(1 + y) = y to double precision.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV LogOnePlus(TV y)
    {
        TV u = Add(C(1), y);
        return TW.Select(TW.Equals(u, C(1)), y, Div(Mul(TW.Log(u), y), Sub(u, C(1))));
    }

    /// <summary>GELU(x) = ½x·erfc(−x/√2), as <see cref="ScalarFunctions.Gelu"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Gelu(TV x) => Mul(Mul(C(0.5), x), Erfc(Mul(TW.Negate(x), C(InvSqrt2))));

    /// <summary>GELU'(x) = Φ(x) + x·φ(x), as <see cref="ScalarFunctions.GeluDerivative"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV GeluDerivative(TV x) =>
        Add(Mul(C(0.5), Erfc(Mul(TW.Negate(x), C(InvSqrt2)))), Mul(Mul(x, C(InvSqrt2Pi)), TW.Exp(Mul(Mul(C(-0.5), x), x))));

    /// <summary>GELU's tanh approximation x·σ(2u), u = √(2/π)(x + 0.044715x³), as <see cref="ScalarFunctions.GeluTanh"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV GeluTanh(TV x) => Mul(x, Sigmoid(Mul(C(2), GeluTanhArgument(x))));

    /// <summary>d/dx of <see cref="GeluTanh"/>: s + 2x·s·σ(−2u)·√(2/π)(1 + 3c·x²) with s = σ(2u), as
    /// <see cref="ScalarFunctions.GeluTanhDerivative"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV GeluTanhDerivative(TV x)
    {
        TV u = GeluTanhArgument(x);
        TV s = Sigmoid(Mul(C(2), u));
        TV slope = Mul(C(SqrtTwoOverPi), Add(C(1), Mul(Mul(C(3 * GeluTanhCoefficient), x), x)));
        return Add(s, Mul(Mul(Mul(Mul(C(2), x), s), Sigmoid(Mul(C(-2), u))), slope));
    }

    /// <summary>Softplus log(1 + e^(βx))/β = max(x, 0) + log1p(e^(−|βx|))/β, and x above the threshold, as
    /// <see cref="ScalarFunctions.Softplus"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Softplus(TV x, double beta, double threshold)
    {
        TV bx = Mul(C(beta), x);
        TV soft = Add(TW.Max(x, C(0)), Div(LogOnePlus(TW.Exp(TW.Negate(TW.Abs(bx)))), C(beta)));
        return TW.Select(TW.GreaterThan(bx, C(threshold)), x, soft);
    }

    /// <summary>d softplus/dx = σ(βx) below the threshold, 1 above it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV SoftplusDerivative(TV x, double beta, double threshold)
    {
        TV bx = Mul(C(beta), x);
        return TW.Select(TW.GreaterThan(bx, C(threshold)), C(1), Div(C(1), Add(C(1), TW.Exp(TW.Negate(bx)))));
    }

    /// <summary>e^(−a²) without the rounding of a² (worth a²·2⁻⁵³ relative, 50 ulps at a = 7): with
    /// h = ⌊16a⌋/16, h² is exact and a² = h² + (a − h)(a + h) (Cody's split, as SpecialFunctions').</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV ExpMinusSquare(TV a)
    {
        TV h = Mul(TW.Truncate(Mul(a, C(16))), C(0.0625));
        return Mul(TW.Exp(TW.Negate(Mul(h, h))), TW.Exp(TW.Negate(Mul(Sub(a, h), Add(a, h)))));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV GeluTanhArgument(TV x) => Mul(C(SqrtTwoOverPi), Add(x, Mul(Mul(Mul(C(GeluTanhCoefficient), x), x), x)));

    /// <summary>Σ c[i]·t^(n−1−i) by Horner's rule, the coefficients highest degree first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Polynomial(TV t, ReadOnlySpan<double> c)
    {
        TV p = C(c[0]);
        for (int i = 1; i < c.Length; i++)
        {
            p = TW.MultiplyAdd(p, t, C(c[i]));
        }

        return p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV C(double value) => TW.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Add(TV x, TV y) => TW.Add(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Sub(TV x, TV y) => TW.Subtract(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Mul(TV x, TV y) => TW.Multiply(x, y);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Div(TV x, TV y) => TW.Divide(x, y);
}
