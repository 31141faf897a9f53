using System.Numerics;
using Mtl.Tensors;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors;

/// <summary>
/// Every unary kernel against a plain double reference for every length 0..257, so that each SIMD width's
/// main loop and every remainder length is exercised (as TensorPrimitives' own tests do), in float and
/// double; the into-destination and in-place forms must give the out-of-place result bit for bit.
/// </summary>
public class ElementwiseUnaryTests
{
    /// <summary>Lengths 0..257: past two Vector512 widths of float plus a remainder.</summary>
    private const int MaxLength = 257;

    public static IEnumerable<string> CaseNames => UnaryCases<float>.All.Select(c => c.Name);

    public static IEnumerable<string> IntoCaseNames => UnaryCases<float>.All.Where(c => c.Into is not null).Select(c => c.Name);

    [TestCaseSource(nameof(CaseNames))]
    public void FloatMatchesDoubleReferenceForEveryLength(string name) => Check(UnaryCases<float>.Get(name));

    [TestCaseSource(nameof(CaseNames))]
    public void DoubleMatchesDoubleReferenceForEveryLength(string name) => Check(UnaryCases<double>.Get(name));

    [TestCaseSource(nameof(IntoCaseNames))]
    public void WrongDestinationShapeAndPartialOverlapThrow(string name)
    {
        var c = UnaryCases<float>.Get(name);
        var into = c.Into!;
        var x = Tensor.Ones<float>(2, 3);
        var ex = Assert.Throws<ArgumentException>(() => into(x, new Tensor<float>(3, 2)));
        Assert.That(ex!.Message, Does.StartWith(c.Operation).And.Contain("[3, 2]").And.Contain("[2, 3]"));

        var buffer = new float[8];
        var source = new Tensor<float>(buffer, 0, new Shape(6));
        var shifted = new Tensor<float>(buffer, 1, new Shape(6));
        ex = Assert.Throws<ArgumentException>(() => into(source, shifted));
        Assert.That(ex!.Message, Does.StartWith(c.Operation));
    }

    [Test]
    public void ClampWithMinAboveMaxThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Clamp(Tensor.Ones<float>(3), 2f, 1f));
        Assert.That(ex!.Message, Does.StartWith("Clamp:"));
        Assert.Throws<ArgumentException>(() => Tensor.Clamp(Tensor.Ones<float>(3), 2f, 1f, new Tensor<float>(3)));
    }

    [Test]
    public void SoftplusRejectsNonPositiveBeta()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Softplus(Tensor.Ones<double>(3), beta: 0));
        Assert.That(ex!.Message, Does.StartWith("Softplus:"));
    }

    [Test]
    public void SoftplusHonoursBetaAndThreshold()
    {
        var x = Tensor.FromArray<double>([-3.0, 0.5, 2.0, 30.0]);
        var y = Tensor.Softplus(x, beta: 2, threshold: 3);

        // torch.nn.functional.softplus(x, beta=2, threshold=3): log(1 + e^(2x))/2, and x once 2x > 3.
        double[] expected = [UnaryCases<double>.Log1p(Math.Exp(-6.0)) / 2, UnaryCases<double>.Log1p(Math.Exp(1.0)) / 2, 2.0, 30.0];
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(y[i], Is.EqualTo(expected[i]).Within(4).Ulps, $"element {i}");
        }
    }

    private static void Check<T>(UnaryCase<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(20240501);
        double worst = 0;
        for (int n = 0; n <= MaxLength; n++)
        {
            // An odd offset into a larger array makes the input unaligned for half of the lengths.
            var values = c.Domain(random, n);
            var buffer = new T[n + 3];
            var x = new Tensor<T>(buffer, n % 3, new Shape(n));
            for (int i = 0; i < n; i++)
            {
                x[i] = T.CreateTruncating(values[i]);
            }

            var before = x.Clone();
            var y = c.Apply(x);
            Assert.That(y.Shape, Is.EqualTo(x.Shape), $"{c.Name}: shape at n = {n}");
            AssertSameBits(x, before, $"{c.Name}: input modified at n = {n}");
            for (int i = 0; i < n; i++)
            {
                double xi = double.CreateTruncating(x[i]);
                double reference = c.Reference(xi);
                if (c.Ulps == 0)
                {
                    if (!SameBits(y[i], reference))
                    {
                        Assert.Fail($"{c.Name}<{typeof(T).Name}>({xi:R}) = {y[i]} but the reference is {reference:R} (n = {n}, i = {i}).");
                    }
                }
                else
                {
                    double e = UlpError(y[i], reference);
                    worst = Math.Max(worst, e);
                    if (!(e <= c.Ulps))
                    {
                        Assert.Fail($"{c.Name}<{typeof(T).Name}>({xi:R}) = {y[i]} but the reference is {reference:R}: {e:G3} ulps > {c.Ulps} (n = {n}, i = {i}).");
                    }
                }
            }

            if (c.Into is not null)
            {
                var d = new Tensor<T>(x.Shape);
                c.Into(x, d);
                AssertSameBits(d, y, $"{c.Name}: into a destination at n = {n}");
                var inPlace = x.Clone();
                c.Into(inPlace, inPlace);
                AssertSameBits(inPlace, y, $"{c.Name}: in place at n = {n}");
            }
        }

        TestContext.Out.WriteLine($"{c.Name}<{typeof(T).Name}>: worst error {worst:G3} ulps");
    }
}

/// <summary>One unary kernel: its forms, a double reference, and the accuracy demanded (0 = bitwise exact).</summary>
internal sealed record UnaryCase<T>(
    string Name,
    string Operation,
    Func<Tensor<T>, Tensor<T>> Apply,
    Action<Tensor<T>, Tensor<T>>? Into,
    Func<double, double> Reference,
    double Ulps,
    Func<SeededRandom, int, double[]> Domain)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>The table of unary kernels for one element type.</summary>
internal static class UnaryCases<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Transcendentals that TensorPrimitives approximates itself (exp, log, tanh, sigmoid): a few ulps.</summary>
    private const double Approximated = 4;

    /// <summary>Functions Mtl evaluates once in double and rounds (GELU, softplus): the double result may
    /// carry a few ulps of its own, the float result only its final rounding.</summary>
    private static readonly double Computed = typeof(T) == typeof(float) ? 1 : 4;

    /// <summary>MathNet's erfc, the reference here, is itself off in the far tail (12 ulps at x = −6.94 and
    /// 20 at x = −9.80, where Mtl's value equals mpmath's), so in double this loop allows 32;
    /// SpecialFunctionsTests pins GELU to 4 ulps against mpmath values.</summary>
    private static readonly double GeluUlps = typeof(T) == typeof(float) ? 1 : 32;

    private const double InvSqrt2 = 0.70710678118654752440;

    public static readonly UnaryCase<T>[] All =
    [
        new("Negate", "Negate", Tensor.Negate, Tensor.Negate, x => -x, 0, WithSpecials),
        new("Abs", "Abs", Tensor.Abs, Tensor.Abs, Math.Abs, 0, WithSpecials),
        new("Square", "Square", Tensor.Square, Tensor.Square, x => x * x, 0, (r, n) => LogUniform(r, n, -9, 9, signed: true)),
        new("Sqrt", "Sqrt", Tensor.Sqrt, Tensor.Sqrt, Math.Sqrt, 0, (r, n) => LogUniform(r, n, -30, 30, signed: false)),
        new("Reciprocal", "Reciprocal", Tensor.Reciprocal, Tensor.Reciprocal, x => 1 / x, 0, (r, n) => LogUniform(r, n, -30, 30, signed: true)),
        new("Relu", "Relu", Tensor.Relu, Tensor.Relu, x => double.IsNaN(x) ? x : x > 0 ? x : 0.0, 0, WithSpecials),
        new("LeakyRelu", "LeakyRelu", x => Tensor.LeakyRelu(x, C(0.01)), (x, d) => Tensor.LeakyRelu(x, C(0.01), d), x => x > 0 ? x : x * double.CreateTruncating(C(0.01)), 0, WithSpecials),
        new("LeakyRelu0.2", "LeakyRelu", x => Tensor.LeakyRelu(x, C(0.2)), (x, d) => Tensor.LeakyRelu(x, C(0.2), d), x => x > 0 ? x : x * double.CreateTruncating(C(0.2)), 0, WithSpecials),
        new("Clamp", "Clamp", x => Tensor.Clamp(x, C(-1.5), C(2)), (x, d) => Tensor.Clamp(x, C(-1.5), C(2), d), x => Math.Min(Math.Max(x, -1.5), 2), 0, WithSpecials),
        new("Exp", "Exp", Tensor.Exp, Tensor.Exp, Math.Exp, Approximated, (r, n) => LogUniform(r, n, -6, 1.9, signed: true)),
        new("Log", "Log", Tensor.Log, Tensor.Log, Math.Log, Approximated, (r, n) => LogUniform(r, n, -30, 30, signed: false)),
        new("Tanh", "Tanh", Tensor.Tanh, Tensor.Tanh, Tanh, Approximated, (r, n) => LogUniform(r, n, -6, 1.3, signed: true)),
        new("Sigmoid", "Sigmoid", Tensor.Sigmoid, Tensor.Sigmoid, Sigmoid, Approximated, (r, n) => LogUniform(r, n, -6, 1.47, signed: true)),
        new("Gelu", "Gelu", x => Tensor.Gelu(x), null, Gelu, GeluUlps, (r, n) => LogUniform(r, n, -6, 1, signed: true)),
        new("GeluTanh", "Gelu", x => Tensor.Gelu(x, tanhApproximation: true), null, GeluTanh, Computed, (r, n) => LogUniform(r, n, -6, 1, signed: true)),
        new("Softplus", "Softplus", x => Tensor.Softplus(x), null, Softplus, Computed, (r, n) => LogUniform(r, n, -6, 1.6, signed: true)),
    ];

    public static UnaryCase<T> Get(string name) => All.Single(c => c.Name == name);

    private static T C(double v) => T.CreateTruncating(v);

    /// <summary>x·Φ(x) = ½x·erfc(−x/√2) with MathNet's erfc. The argument is rounded exactly as the kernel
    /// rounds it (x times the double nearest 1/√2), so the comparison measures the erfc and not the
    /// conditioning of x ↦ x/√2, which alone is worth ≈ x² ulps at x = −10.</summary>
    private static double Gelu(double x) => 0.5 * x * MathNet.Numerics.SpecialFunctions.Erfc(-x * InvSqrt2);

    /// <summary>tanh from its definition, independently of Math.Tanh: (e^(2x) − 1)/(e^(2x) + 1) in
    /// System.Decimal (28 digits), where the cancellation near 0 still leaves 20 correct digits; plain
    /// double above |x| = 20, where tanh is ±1 to double precision.</summary>
    private static double Tanh(double x)
    {
        if (Math.Abs(x) >= 20)
        {
            return Math.Sign(x);
        }

        decimal e = DecimalExp(2 * ExactDecimal(x));
        return (double)((e - 1) / (e + 1));
    }

    /// <summary>The double as a decimal without the 15-digit rounding of the built-in conversion:
    /// mantissa·2^exponent, halved step by step (exact until decimal's 28 digits run out).</summary>
    private static decimal ExactDecimal(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        int exponent = (int)(bits >> 52) - 1075;
        decimal d = (bits & 0xF_FFFF_FFFF_FFFFL) | (1L << 52);
        for (; exponent < 0; exponent++)
        {
            d /= 2;
        }

        for (; exponent > 0; exponent--)
        {
            d *= 2;
        }

        return x < 0 ? -d : d;
    }

    /// <summary>eˣ for |x| ≤ 40 in decimal: e^(x/8) by its Taylor series, then squared three times.</summary>
    private static decimal DecimalExp(decimal x)
    {
        decimal y = x / 8, term = 1, sum = 1;
        for (int k = 1; k < 60 && term != 0; k++)
        {
            term = term * y / k;
            sum += term;
        }

        for (int i = 0; i < 3; i++)
        {
            sum *= sum;
        }

        return sum;
    }

    /// <summary>σ(x) evaluated without cancellation on either side of 0.</summary>
    private static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    /// <summary>½x(1 + tanh u) rewritten as x·σ(2u), which has no cancellation for negative x.</summary>
    private static double GeluTanh(double x)
    {
        double u = Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x * x * x));
        return x * Sigmoid(2 * u);
    }

    /// <summary>torch.nn.functional.softplus with β = 1, threshold 20: log1p(eˣ), and x above 20.</summary>
    private static double Softplus(double x) => x > 20 ? x : Math.Max(x, 0) + Log1p(Math.Exp(-Math.Abs(x)));

    /// <summary>ln(1 + y) accurate for tiny y (Goldberg 1991, "What every computer scientist should know...", Theorem 4).</summary>
    internal static double Log1p(double y)
    {
        double u = 1 + y;
        return u == 1 ? y : Math.Log(u) * y / (u - 1);
    }

    /// <summary>Magnitudes 1e-6..1e3 of both signs, with every seventh element a special value.</summary>
    private static double[] WithSpecials(SeededRandom random, int n)
    {
        double[] specials = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0, -1.5, 2.0];
        var v = LogUniform(random, n, -6, 3, signed: true);
        for (int i = 0; i < n; i += 7)
        {
            v[i] = specials[(i / 7) % specials.Length];
        }

        return v;
    }
}

public class ParameterisedUnaryDestinationTests
{
    [Test]
    public void GeluAndSoftplusIntoADestinationMatchOutOfPlaceAndMayBeInPlace()
    {
        var x = Tensor.RandomNormal<double>(seed: 3, 5, 7);
        foreach (bool tanh in new[] { false, true })
        {
            var expected = Tensor.Gelu(x, tanh);
            var into = new Tensor<double>(x.Shape);
            Tensor.Gelu(x, into, tanh);
            Assert.That(into.ToArray(), Is.EqualTo(expected.ToArray()));
            var inPlace = x.Clone();
            Tensor.Gelu(inPlace, inPlace, tanh);
            Assert.That(inPlace.ToArray(), Is.EqualTo(expected.ToArray()));
        }

        var sp = Tensor.Softplus(x, beta: 2, threshold: 3);
        var spInto = x.Clone();
        Tensor.Softplus(spInto, spInto, beta: 2, threshold: 3);
        Assert.That(spInto.ToArray(), Is.EqualTo(sp.ToArray()));
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Gelu(x, new Tensor<double>(7, 5)));
        Assert.That(ex!.Message, Does.StartWith("Gelu:").And.Contain("[7, 5]").And.Contain("[5, 7]"));
    }

    [Test]
    public void SoftmaxIntoAPartiallyOverlappingDestinationThrows()
    {
        var buffer = new double[12];
        var x = new Tensor<double>(buffer, 0, new Shape(2, 4));
        var shifted = new Tensor<double>(buffer, 2, new Shape(2, 4));
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Softmax(x, shifted));
        Assert.That(ex!.Message, Does.StartWith("Softmax:").And.Contain("overlaps"));
        Assert.Throws<ArgumentException>(() => Tensor.LogSoftmax(x, shifted));
    }
}
