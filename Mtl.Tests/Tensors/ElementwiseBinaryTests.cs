using System.Numerics;
using Mtl.Tensors;
using Mtl.Tensors.Kernels;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors;

/// <summary>
/// Every binary kernel against a plain double reference for every length 0..257, in float and double,
/// through each of the three span shapes the broadcasting driver uses (vector-vector, vector-scalar,
/// scalar-vector), the public scalar-operand overloads, the into-destination form and in place.
/// </summary>
public class ElementwiseBinaryTests
{
    private const int MaxLength = 257;

    public static IEnumerable<string> CaseNames => BinaryCases<float>.All.Select(c => c.Name);

    [TestCaseSource(nameof(CaseNames))]
    public void FloatMatchesDoubleReferenceForEveryLength(string name) => Check(BinaryCases<float>.Get(name));

    [TestCaseSource(nameof(CaseNames))]
    public void DoubleMatchesDoubleReferenceForEveryLength(string name) => Check(BinaryCases<double>.Get(name));

    [TestCaseSource(nameof(CaseNames))]
    public void WrongDestinationShapeAndPartialOverlapThrow(string name)
    {
        var c = BinaryCases<float>.Get(name);
        var x = Tensor.Ones<float>(2, 3);
        var y = Tensor.Ones<float>(3);
        var ex = Assert.Throws<ArgumentException>(() => c.Into(x, y, new Tensor<float>(3, 2)));
        Assert.That(ex!.Message, Does.StartWith(c.Operation).And.Contain("[3, 2]").And.Contain("[2, 3]"));

        // The destination may not be a broadcast operand's shape either (x += y where y is the smaller one).
        ex = Assert.Throws<ArgumentException>(() => c.Into(x, y, y));
        Assert.That(ex!.Message, Does.StartWith(c.Operation).And.Contain("[3]").And.Contain("[2, 3]"));

        // A destination overlapping an operand without being it: the broadcast row would be overwritten while still being read.
        var buffer = new float[9];
        var whole = new Tensor<float>(buffer, 0, new Shape(3, 3));
        var row = new Tensor<float>(buffer, 3, new Shape(3));
        ex = Assert.Throws<ArgumentException>(() => c.Into(whole, row, whole));
        Assert.That(ex!.Message, Does.StartWith(c.Operation).And.Contain("overlaps"));
        var shifted = new Tensor<float>(buffer, 1, new Shape(3));
        var first = new Tensor<float>(buffer, 0, new Shape(3));
        ex = Assert.Throws<ArgumentException>(() => c.Into(first, Tensor.Ones<float>(3), shifted));
        Assert.That(ex!.Message, Does.StartWith(c.Operation).And.Contain("overlaps"));
    }

    [Test]
    public void IncompatibleShapesThrowNamingTheOperationAndBothShapes()
    {
        foreach (var c in BinaryCases<float>.All)
        {
            var ex = Assert.Throws<ArgumentException>(() => c.Apply(Tensor.Ones<float>(4, 3), Tensor.Ones<float>(2)));
            Assert.That(ex!.Message, Does.StartWith(c.Operation + ":").And.Contain("[4, 3]").And.Contain("[2]"), c.Name);
        }
    }

    [Test]
    public void OperatorsMatchTheNamedOperations()
    {
        var random = new SeededRandom(5);
        var x = Random<float>(random, new Shape(3, 17));
        var y = Random<float>(random, new Shape(17));
        AssertSameBits(x + y, Tensor.Add(x, y), "+");
        AssertSameBits(x - y, Tensor.Subtract(x, y), "-");
        AssertSameBits(x * y, Tensor.Multiply(x, y), "*");
        AssertSameBits(x / y, Tensor.Divide(x, y), "/");
        AssertSameBits(x * 3f, Tensor.Multiply(x, 3f), "* s");
        AssertSameBits(x + 3f, Tensor.Add(x, 3f), "+ s");
        AssertSameBits(-x, Tensor.Negate(x), "unary -");
    }

    [Test]
    public void InPlaceMethodsMatchOutOfPlace()
    {
        var random = new SeededRandom(6);
        foreach (int n in new[] { 0, 1, 7, 8, 9, 31, 33, 257 })
        {
            var x = Random<double>(random, new Shape(2, n));
            var y = Random<double>(random, new Shape(n));
            var full = Random<double>(random, new Shape(2, n));
            AssertSameBits(x.Clone().AddInPlace(y), Tensor.Add(x, y), $"AddInPlace n = {n}");
            AssertSameBits(x.Clone().SubtractInPlace(y), Tensor.Subtract(x, y), $"SubtractInPlace n = {n}");
            AssertSameBits(x.Clone().MultiplyInPlace(y), Tensor.Multiply(x, y), $"MultiplyInPlace n = {n}");
            AssertSameBits(x.Clone().MultiplyInPlace(0.3), Tensor.Multiply(x, 0.3), $"MultiplyInPlace(s) n = {n}");
            AssertSameBits(x.Clone().AddInPlace(0.3), Tensor.Add(x, 0.3), $"AddInPlace(s) n = {n}");

            // axpy: x + α·y, each element with one rounding of the product and one of the sum (or one fused).
            var axpy = x.Clone().AddScaledInPlace(-0.7, full);
            for (int i = 0; i < axpy.Length; i++)
            {
                double unfused = x.Span[i] + (-0.7 * full.Span[i]);
                double fused = Math.FusedMultiplyAdd(-0.7, full.Span[i], x.Span[i]);
                Assert.That(axpy.Span[i], Is.EqualTo(unfused).Or.EqualTo(fused), $"AddScaledInPlace n = {n}, i = {i}");
            }
        }
    }

    [Test]
    public void InPlaceWithAnOperandThatDoesNotBroadcastToThisShapeThrows()
    {
        var x = Tensor.Ones<float>(3);
        var ex = Assert.Throws<ArgumentException>(() => x.AddInPlace(Tensor.Ones<float>(2, 3)));
        Assert.That(ex!.Message, Does.StartWith("Add:").And.Contain("[2, 3]").And.Contain("[3]"));
        ex = Assert.Throws<ArgumentException>(() => x.AddScaledInPlace(2f, Tensor.Ones<float>(1, 3)));
        Assert.That(ex!.Message, Does.StartWith("AddScaledInPlace:").And.Contain("[1, 3]").And.Contain("[3]"));
    }

    [Test]
    public void MaximumAndMinimumPropagateNaNAndOrderSignedZeros()
    {
        var x = Tensor.FromArray<float>([float.NaN, 1f, -0f, 0f, 2f]);
        var y = Tensor.FromArray<float>([1f, float.NaN, 0f, -0f, 2f]);
        var max = Tensor.Maximum(x, y);
        var min = Tensor.Minimum(x, y);
        Assert.That(float.IsNaN(max[0]) && float.IsNaN(max[1]) && float.IsNaN(min[0]) && float.IsNaN(min[1]), "NaN propagates as in torch.maximum");
        Assert.That(float.IsNegative(max[2]) || float.IsNegative(max[3]), Is.False, "max(+0, -0) = +0");
        Assert.That(float.IsNegative(min[2]) && float.IsNegative(min[3]), Is.True, "min(+0, -0) = -0");
    }

    private static void Check<T>(BinaryCase<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(777);
        double worst = 0;
        for (int n = 0; n <= MaxLength; n++)
        {
            var (xs, ys) = c.Domain(random, n);
            var x = FromDoubles<T>(xs, new Shape(n));
            var y = FromDoubles<T>(ys, new Shape(n));
            var s = T.CreateTruncating(ys.Length > 0 ? ys[0] : 0.5);
            var scalar = Tensor.Scalar(s);
            var one = Tensor.FromArray<T>([s]);

            var z = c.Apply(x, y);
            Compare(c, z, x, y, n, "vector-vector", ref worst);
            Compare(c, c.Apply(x, scalar), x, scalar, n, "vector-scalar tensor", ref worst);
            Compare(c, c.Apply(scalar, x), scalar, x, n, "scalar tensor-vector", ref worst);
            Compare(c, c.Apply(x, one), x, one, n, "vector-[1]", ref worst);
            Compare(c, c.Apply(one, x), one, x, n, "[1]-vector", ref worst);
            if (c.ApplyScalar is not null)
            {
                AssertSameBits(c.ApplyScalar(x, s), c.Apply(x, scalar), $"{c.Name}: scalar overload at n = {n}");
            }

            var d = new Tensor<T>(x.Shape);
            c.Into(x, y, d);
            AssertSameBits(d, z, $"{c.Name}: into a destination at n = {n}");
            var intoX = x.Clone();
            c.Into(intoX, y, intoX);
            AssertSameBits(intoX, z, $"{c.Name}: into x at n = {n}");
            var intoY = y.Clone();
            c.Into(x, intoY, intoY);
            AssertSameBits(intoY, z, $"{c.Name}: into y at n = {n}");
            var intoXs = x.Clone();
            c.Into(intoXs, scalar, intoXs);
            AssertSameBits(intoXs, c.Apply(x, scalar), $"{c.Name}: x op scalar into x at n = {n}");
        }

        TestContext.Out.WriteLine($"{c.Name}<{typeof(T).Name}>: worst error {worst:G3} ulps");
    }

    private static void Compare<T>(BinaryCase<T> c, Tensor<T> z, Tensor<T> x, Tensor<T> y, int n, string form, ref double worst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.That(z.Shape, Is.EqualTo(new Shape(n)), $"{c.Name} {form}: shape");
        for (int i = 0; i < n; i++)
        {
            double a = double.CreateTruncating(x.Length == 1 ? x.Span[0] : x.Span[i]);
            double b = double.CreateTruncating(y.Length == 1 ? y.Span[0] : y.Span[i]);
            double reference = c.Reference(a, b);
            if (c.Ulps == 0)
            {
                if (!SameBits(z.Span[i], reference))
                {
                    Assert.Fail($"{c.Name}<{typeof(T).Name}>({a:R}, {b:R}) {form} = {z.Span[i]} but the reference is {reference:R} (n = {n}, i = {i}).");
                }
            }
            else
            {
                double e = UlpError(z.Span[i], reference);
                worst = Math.Max(worst, e);
                if (!(e <= c.Ulps))
                {
                    Assert.Fail($"{c.Name}<{typeof(T).Name}>({a:R}, {b:R}) {form} = {z.Span[i]} but the reference is {reference:R}: {e:G3} ulps > {c.Ulps} (n = {n}, i = {i}).");
                }
            }
        }
    }
}

/// <summary>One binary kernel: its forms, a double reference, and the accuracy demanded (0 = bitwise exact).</summary>
internal sealed record BinaryCase<T>(
    string Name,
    string Operation,
    Func<Tensor<T>, Tensor<T>, Tensor<T>> Apply,
    Action<Tensor<T>, Tensor<T>, Tensor<T>> Into,
    Func<Tensor<T>, T, Tensor<T>>? ApplyScalar,
    Func<double, double, double> Reference,
    double Ulps,
    Func<SeededRandom, int, (double[] X, double[] Y)> Domain)
    where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>The table of binary kernels for one element type.</summary>
internal static class BinaryCases<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Pow is approximated by TensorPrimitives / the platform: a few ulps.</summary>
    private const double Approximated = 4;

    // +, −, ·, / of two floats computed in double and rounded once to float are correctly rounded
    // (53 ≥ 2·24 + 2), so these references are exact for float as well as for double.
    public static readonly BinaryCase<T>[] All =
    [
        new("Add", "Add", Tensor.Add, Tensor.Add, Tensor.Add, (a, b) => a + b, 0, Arithmetic),
        new("Subtract", "Subtract", Tensor.Subtract, Tensor.Subtract, null, (a, b) => a - b, 0, Arithmetic),
        new("Multiply", "Multiply", Tensor.Multiply, Tensor.Multiply, Tensor.Multiply, (a, b) => a * b, 0, Arithmetic),
        new("Divide", "Divide", Tensor.Divide, Tensor.Divide, null, (a, b) => a / b, 0, Arithmetic),
        new("Maximum", "Maximum", Tensor.Maximum, Tensor.Maximum, null, Math.Max, 0, SmallSet),
        new("Minimum", "Minimum", Tensor.Minimum, Tensor.Minimum, null, Math.Min, 0, SmallSet),
        new("Pow", "Pow", Tensor.Pow, Tensor.Pow, Tensor.Pow, Math.Pow, Approximated, PowDomain),
        Comparing(Comparison.Equal, (a, b) => a == b),
        Comparing(Comparison.NotEqual, (a, b) => a != b),
        Comparing(Comparison.Greater, (a, b) => a > b),
        Comparing(Comparison.GreaterOrEqual, (a, b) => a >= b),
        Comparing(Comparison.Less, (a, b) => a < b),
        Comparing(Comparison.LessOrEqual, (a, b) => a <= b),
    ];

    public static BinaryCase<T> Get(string name) => All.Single(c => c.Name == name);

    private static BinaryCase<T> Comparing(Comparison comparison, Func<double, double, bool> reference) =>
        new(
            "Compare" + comparison,
            "Compare",
            (x, y) => Tensor.Compare(x, y, comparison),
            (x, y, d) => Tensor.Compare(x, y, comparison, d),
            (x, s) => Tensor.Compare(x, s, comparison),
            (a, b) => reference(a, b) ? 1.0 : 0.0,
            0,
            SmallSet);

    /// <summary>Magnitudes 1e-6..1e6 of both signs, with zeros, infinities and NaN sprinkled in.</summary>
    private static (double[], double[]) Arithmetic(SeededRandom random, int n)
    {
        double[] specials = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0];
        var x = LogUniform(random, n, -6, 6, signed: true);
        var y = LogUniform(random, n, -6, 6, signed: true);
        for (int i = 3; i < n; i += 11)
        {
            x[i] = specials[(i / 11) % specials.Length];
        }

        for (int i = 5; i < n; i += 13)
        {
            y[i] = specials[(i / 13) % specials.Length];
        }

        return (x, y);
    }

    /// <summary>A few values, so that equal pairs, signed zeros and NaN on either side are all common.</summary>
    private static (double[], double[]) SmallSet(SeededRandom random, int n)
    {
        double[] set = [-2.0, -1.0, -0.0, 0.0, 0.5, 1.0, 2.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        var x = new double[n];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = set[random.NextInt(set.Length)];
            y[i] = set[random.NextInt(set.Length)];
        }

        return (x, y);
    }

    private static (double[], double[]) PowDomain(SeededRandom random, int n) =>
        (LogUniform(random, n, -2, 2, signed: false), Uniform(random, n, -4, 4));
}
