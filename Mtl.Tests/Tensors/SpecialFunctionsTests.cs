using Mtl.Tensors;
using Mtl.Tensors.Kernels;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors;

public class SpecialFunctionsTests
{
    /// <summary>(x, GELU(x), GELU_tanh(x)) from Golden/gelu_reference.py (mpmath, 50 digits; the argument
    /// x/√2 resp. u rounded in double as the kernel rounds it).</summary>
    private static readonly (double X, double Gelu, double GeluTanh)[] GeluGolden =
    [
        (-10.0, -7.619853024160498e-23, -1.2040923482098023e-37),
        (-8.75, -9.334182703540474e-18, -1.311450788484399e-26),
        (-7.5, -2.393168754683167e-13, -4.016268217514138e-18),
        (-6.9376, -1.3834164505381371e-11, -4.849757169016449e-15),
        (-6.0, -5.919525870226162e-09, -8.43964670076231e-11),
        (-5.25, -3.992604271156568e-07, -3.9584638214958364e-08),
        (-4.5, -1.5289529061285232e-05, -5.1367374119586445e-06),
        (-3.247, -0.0018934619079857631, -0.0015853986735120322),
        (-3.0, -0.004049694094890279, -0.003637392081773019),
        (-2.83, -0.006586542585050288, -0.006126159564924275),
        (-2.5, -0.015524163314440334, -0.01508426608999857),
        (-2.0, -0.045500263896358396, -0.045402305912224966),
        (-1.5, -0.10021080190328706, -0.10042842301976705),
        (-1.0, -0.15865525393145705, -0.15880800939172326),
        (-0.75, -0.16997051428265114, -0.1700394448343797),
        (-0.5, -0.15426876936299344, -0.15428599017485609),
        (-0.25, -0.10032341857926906, -0.100324649298315),
        (-0.001, -0.000499601057786089, -0.000499601057786418),
        (0.001, 0.000500398942213911, 0.000500398942213582),
        (0.25, 0.14967658142073093, 0.149675350701685),
        (0.5, 0.34573123063700656, 0.34571400982514394),
        (1.0, 0.8413447460685429, 0.8411919906082768),
        (1.5, 1.399789198096713, 1.399571576980233),
        (2.0, 1.9544997361036416, 1.954597694087775),
        (3.0, 2.99595030590511, 2.996362607918227),
        (4.5, 4.4999847104709385, 4.499994863262588),
        (6.0, 5.999999994080474, 5.9999999999156035),
        (8.0, 7.999999999999995, 8.0),
        (10.0, 10.0, 10.0),
    ];

    /// <summary>(t, erfc(t)) from Golden/gelu_reference.py (mpmath, 50 digits).</summary>
    private static readonly (double T, double Erfc)[] ErfcGolden =
    [
        (-3.0, 1.9999779095030015), (-1.0, 1.8427007929497148), (-0.25, 1.276326390168237), (0.0, 1.0),
        (0.1, 0.887537083981715), (0.4999, 0.4795880048386134), (0.5, 0.4795001221869535),
        (0.75, 0.28884436634648486), (1.0, 0.15729920705028513), (1.5, 0.033894853524689274),
        (1.9999, 0.004679802092970608), (2.0, 0.004677734981047266), (3.0, 2.209049699858544e-05),
        (4.0, 1.541725790028002e-08), (5.0, 1.537459794428035e-12), (6.0, 2.1519736712498913e-17),
        (7.0, 4.183825607779414e-23), (10.0, 2.088487583762545e-45), (20.0, 5.395865611607901e-176),
        (26.0, 5.663192408856143e-296),
    ];

    [Test]
    public void ErfMatchesMathNetOnMinusSevenToSeven()
    {
        double worst = 0;
        for (int i = -7000; i <= 7000; i++)
        {
            double x = i / 1000.0;
            double reference = MathNet.Numerics.SpecialFunctions.Erf(x);
            double got = SpecialFunctions.Erf(x);
            double relative = reference == 0 ? Math.Abs(got) : Math.Abs(got - reference) / Math.Abs(reference);
            worst = Math.Max(worst, relative);
            Assert.That(relative, Is.LessThanOrEqualTo(1e-14), $"erf({x})");
        }

        TestContext.Out.WriteLine($"erf: worst relative error {worst:G3}");
        Assert.That(double.IsNaN(SpecialFunctions.Erf(double.NaN)));
        Assert.That(SpecialFunctions.Erf(double.PositiveInfinity), Is.EqualTo(1.0));
        Assert.That(SpecialFunctions.Erf(double.NegativeInfinity), Is.EqualTo(-1.0));
        Assert.That(SpecialFunctions.Erf(1e-300), Is.EqualTo(1.1283791670955126e-300).Within(1).Ulps);
    }

    [Test]
    public void ErfIsOdd()
    {
        for (int i = 0; i <= 1000; i++)
        {
            double x = i * 0.00731;
            Assert.That(SpecialFunctions.Erf(-x), Is.EqualTo(-SpecialFunctions.Erf(x)), $"x = {x}");
        }
    }

    [Test]
    public void ErfcMatchesHighPrecisionValuesToFourUlps()
    {
        foreach (var (t, erfc) in ErfcGolden)
        {
            Assert.That(SpecialFunctions.Erfc(t), Is.EqualTo(erfc).Within(4).Ulps, $"erfc({t})");
        }

        Assert.That(double.IsNaN(SpecialFunctions.Erfc(double.NaN)));
        Assert.That(SpecialFunctions.Erfc(double.PositiveInfinity), Is.Zero);
    }

    [Test]
    public void ErfcIsOneMinusErfWhereThatDoesNotCancel()
    {
        for (int i = -3000; i <= 1000; i++)
        {
            double x = i / 1000.0;
            Assert.That(SpecialFunctions.Erfc(x), Is.EqualTo(1 - SpecialFunctions.Erf(x)).Within(1e-15), $"x = {x}");
        }
    }

    [Test]
    public void GeluMatchesHighPrecisionValuesInDoubleAndFloat()
    {
        var xs = GeluGolden.Select(g => g.X).ToArray();
        var gd = Tensor.Gelu(Tensor.FromArray<double>(xs));
        var gtd = Tensor.Gelu(Tensor.FromArray<double>(xs), tanhApproximation: true);
        for (int i = 0; i < xs.Length; i++)
        {
            Assert.That(gd[i], Is.EqualTo(GeluGolden[i].Gelu).Within(4).Ulps, $"GELU({xs[i]})");
            Assert.That(gtd[i], Is.EqualTo(GeluGolden[i].GeluTanh).Within(4).Ulps, $"GELU_tanh({xs[i]})");
        }

        // Float inputs that are exactly the golden x (all but a few are): the double result rounded once.
        var xf = xs.Select(x => (float)x).ToArray();
        var gf = Tensor.Gelu(Tensor.FromArray<float>(xf));
        for (int i = 0; i < xs.Length; i++)
        {
            if (xf[i] == xs[i])
            {
                Assert.That(UlpError(gf[i], GeluGolden[i].Gelu), Is.LessThanOrEqualTo(1), $"GELU<float>({xs[i]})");
            }
        }
    }

    [Test]
    public void GeluIsXTimesTheNormalCdf()
    {
        for (int i = -700; i <= 700; i++)
        {
            double x = i / 100.0;
            double reference = x * MathNet.Numerics.Distributions.Normal.CDF(0, 1, x);
            double got = Tensor.Gelu(Tensor.Scalar(x)).Item();
            double relative = reference == 0 ? Math.Abs(got) : Math.Abs(got - reference) / Math.Abs(reference);

            // Each side rounds x/√2 once; Φ's relative condition number there is ≈ x² for x ≪ 0.
            Assert.That(relative, Is.LessThanOrEqualTo(1e-14 + (2 * x * x * Math.Pow(2, -52))), $"GELU({x})");
        }
    }

    [Test]
    public void DerivativesMatchCentralDifferences()
    {
        // Central differences in double: truncation h²·f'''/6 and rounding ε·f/h, both below 1e-9 here.
        const double h = 1e-5;
        for (int i = -600; i <= 600; i += 7)
        {
            double x = i / 100.0;
            Check("GELU", ScalarFunctions.Gelu, ScalarFunctions.GeluDerivative, x);
            Check("GELU_tanh", ScalarFunctions.GeluTanh, ScalarFunctions.GeluTanhDerivative, x);
            Check("softplus", v => ScalarFunctions.Softplus(v, 1, 20), v => ScalarFunctions.SoftplusDerivative(v, 1, 20), x);
        }

        static void Check(string name, Func<double, double> f, Func<double, double> df, double x)
        {
            double numeric = (f(x + h) - f(x - h)) / (2 * h);
            Assert.That(df(x), Is.EqualTo(numeric).Within(1e-9 + (1e-7 * Math.Abs(numeric))), $"{name}'({x})");
        }
    }

    [Test]
    public void TailsKeepTheirRelativeAccuracy()
    {
        // The forms ½x(1 + erf(x/√2)), ½x(1 + tanh u) and log(1 + eˣ) all returned exactly 0 here.
        Assert.That(ScalarFunctions.Gelu(-10), Is.EqualTo(-7.619853024160498e-23).Within(4).Ulps);
        Assert.That(ScalarFunctions.GeluTanh(-10), Is.EqualTo(-1.2040923482098023e-37).Within(4).Ulps);
        Assert.That(ScalarFunctions.Softplus(-40, 1, 20), Is.EqualTo(4.248354255291589e-18).Within(4).Ulps);
        Assert.That(ScalarFunctions.LogOnePlus(1e-20), Is.EqualTo(1e-20));

        // Φ(−9) + (−9)·φ(−9): the derivative's tail, from mpmath: ncdf(-9) - 9*npdf(-9).
        Assert.That(ScalarFunctions.GeluDerivative(-9), Is.EqualTo(-9.138937373906639e-18).Within(8).Ulps);
    }
}
