using System.Numerics;
using System.Runtime.Intrinsics;
using Mtl.Tensors;
using Mtl.Tensors.Kernels;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors.Kernels;

/// <summary>
/// Every operator's Vector128, Vector256 and Vector512 forms called directly, lane by lane against its
/// scalar form, in float and double. A width the hardware lacks runs in .NET's software emulation, which
/// computes the same lanes, so every width is checked on every machine and no result depends on the
/// host's ISA. Exact ops must agree bit for bit; transcendentals within the ulps stated per case, which
/// cover both forms' errors (the vector Exp and Log are .NET's, within 2 ulps; the scalar tanh, GELU and
/// softplus forms are themselves a few ulps off in double).
/// </summary>
public class OperatorWidthTests
{
    public static IEnumerable<string> Names => WidthCases<float>.All.Select(c => c.Name);

    [TestCaseSource(nameof(Names))]
    public void FloatFormsAgreeAtEveryWidth(string name) => WidthCases<float>.Get(name).Check();

    [TestCaseSource(nameof(Names))]
    public void DoubleFormsAgreeAtEveryWidth(string name) => WidthCases<double>.Get(name).Check();
}

/// <summary>One operator: its forms at every width checked against its scalar form.</summary>
internal abstract class WidthCase<T>(string name, double ulps, double floor)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Inputs per check: many vectors of each width, after the special values.</summary>
    protected const int Count = 1024;

    public string Name { get; } = name;

    /// <summary>0: bitwise equal; else the largest distance from the scalar form, in ulps of T.</summary>
    public double Ulps { get; } = ulps;

    /// <summary>
    /// Where a derivative passes through 0 its result is a cancellation (GELU' = Φ(x) + x·φ(x) at
    /// x ≈ −0.75, both terms ≈ 0.23), and both forms carry the terms' rounding: there the ulps are counted
    /// at this magnitude (times |dy| for a backward op) instead of at the result's.
    /// </summary>
    public double Floor { get; } = floor;

    public void Check()
    {
        CheckEveryWidth();
        TestContext.Out.WriteLine($"{Name}<{typeof(T).Name}>: the vector forms are within {Worst:G3} ulps of the scalar form (allowed {Ulps}).");
    }

    protected abstract void CheckEveryWidth();

    /// <summary>Values 0, ±0, NaN, ±∞, the extremes and a few ordinary ones, then <paramref name="domain"/>.</summary>
    protected static T[] Inputs(Func<SeededRandom, int, double[]> domain, int seed)
    {
        double[] specials = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.0, -1.5, 2.0, 1e-30, -1e30, 0.5, -0.5];
        var values = specials.Concat(domain(new SeededRandom(seed), Count)).ToArray();
        return values.Select(T.CreateTruncating).ToArray();
    }

    /// <summary>The values followed by ones up to a whole number of Vector512s.</summary>
    protected static T[] Padded(T[] values) =>
        values.Concat(Enumerable.Repeat(T.One, (Vector512<T>.Count - (values.Length % Vector512<T>.Count)) % Vector512<T>.Count)).ToArray();

    /// <summary>The largest distance seen, in ulps, reported after the check.</summary>
    protected double Worst { get; set; }

    protected void Compare(T got, T scalar, double floor, string width, string inputs)
    {
        double g = double.CreateTruncating(got), r = double.CreateTruncating(scalar);
        double error = Math.Abs(r) < floor && double.IsFinite(g) ? Math.Abs(g - r) / Ulp<T>(floor) : UlpError(got, r);
        Worst = Math.Max(Worst, error);
        bool ok = Ulps == 0 ? SameBits(got, r) : error <= Ulps;
        if (!ok)
        {
            Assert.Fail($"{Name}<{typeof(T).Name}> {width}({inputs}) = {got:R}, the scalar form {scalar:R}: more than {Ulps} ulps apart.");
        }
    }
}

/// <summary>A unary operator on one domain.</summary>
internal sealed class UnaryWidthCase<T, TOp>(string name, TOp op, Func<SeededRandom, int, double[]> domain, double ulps, double floor)
    : WidthCase<T>(name, ulps, floor)
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IUnaryOperator<T>
{
    protected override void CheckEveryWidth()
    {
        var x = Padded(Inputs(domain, Name.Length));
        var scalar = x.Select(op.Invoke).ToArray();
        for (int i = 0; i < x.Length; i += Vector128<T>.Count)
        {
            var v = op.Invoke(Vector128.Create<T>(x.AsSpan(i)));
            for (int lane = 0; lane < Vector128<T>.Count; lane++)
            {
                Compare(v[lane], scalar[i + lane], Floor, "Vector128", $"{x[i + lane]:R}");
            }
        }

        for (int i = 0; i < x.Length; i += Vector256<T>.Count)
        {
            var v = op.Invoke(Vector256.Create<T>(x.AsSpan(i)));
            for (int lane = 0; lane < Vector256<T>.Count; lane++)
            {
                Compare(v[lane], scalar[i + lane], Floor, "Vector256", $"{x[i + lane]:R}");
            }
        }

        for (int i = 0; i < x.Length; i += Vector512<T>.Count)
        {
            var v = op.Invoke(Vector512.Create<T>(x.AsSpan(i)));
            for (int lane = 0; lane < Vector512<T>.Count; lane++)
            {
                Compare(v[lane], scalar[i + lane], Floor, "Vector512", $"{x[i + lane]:R}");
            }
        }
    }
}

/// <summary>A binary operator on a domain for each operand (the second is dy for backward ops); every
/// special value meets every other one.</summary>
internal sealed class BinaryWidthCase<T, TOp>(
    string name, TOp op, Func<SeededRandom, int, double[]> xDomain, Func<SeededRandom, int, double[]> yDomain, double ulps, double floor)
    : WidthCase<T>(name, ulps, floor)
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IBinaryOperator<T>
{
    protected override void CheckEveryWidth()
    {
        var xi = Inputs(xDomain, Name.Length);
        var yi = Inputs(yDomain, Name.Length + 1);
        int specials = xi.Length - Count;
        var pairs = Enumerable.Range(0, specials * specials).Select(k => (xi[k / specials], yi[k % specials]))
            .Concat(xi.Skip(specials).Zip(yi.Skip(specials))).ToArray();
        var x = Padded(pairs.Select(p => p.Item1).ToArray());
        var y = Padded(pairs.Select(p => p.Item2).ToArray());
        var scalar = x.Zip(y, op.Invoke).ToArray();
        for (int i = 0; i < x.Length; i += Vector128<T>.Count)
        {
            var v = op.Invoke(Vector128.Create<T>(x.AsSpan(i)), Vector128.Create<T>(y.AsSpan(i)));
            for (int lane = 0; lane < Vector128<T>.Count; lane++)
            {
                Compare(v[lane], scalar[i + lane], Floor * Math.Abs(double.CreateTruncating(y[i + lane])), "Vector128", $"{x[i + lane]:R}, {y[i + lane]:R}");
            }
        }

        for (int i = 0; i < x.Length; i += Vector256<T>.Count)
        {
            var v = op.Invoke(Vector256.Create<T>(x.AsSpan(i)), Vector256.Create<T>(y.AsSpan(i)));
            for (int lane = 0; lane < Vector256<T>.Count; lane++)
            {
                Compare(v[lane], scalar[i + lane], Floor * Math.Abs(double.CreateTruncating(y[i + lane])), "Vector256", $"{x[i + lane]:R}, {y[i + lane]:R}");
            }
        }

        for (int i = 0; i < x.Length; i += Vector512<T>.Count)
        {
            var v = op.Invoke(Vector512.Create<T>(x.AsSpan(i)), Vector512.Create<T>(y.AsSpan(i)));
            for (int lane = 0; lane < Vector512<T>.Count; lane++)
            {
                Compare(v[lane], scalar[i + lane], Floor * Math.Abs(double.CreateTruncating(y[i + lane])), "Vector512", $"{x[i + lane]:R}, {y[i + lane]:R}");
            }
        }
    }
}

/// <summary>The table of operators, with the domain each is checked on and the agreement demanded.</summary>
internal static class WidthCases<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly bool IsFloat = typeof(T) == typeof(float);

    public static readonly WidthCase<T>[] All =
    [
        // Exact at every width: bit for bit.
        Unary("Negate", default(NegateOp<T>), Wide, 0),
        Unary("Abs", default(AbsOp<T>), Wide, 0),
        Unary("Square", default(SquareOp<T>), Wide, 0),
        Unary("Sqrt", default(SqrtOp<T>), Wide, 0),
        Unary("Reciprocal", default(ReciprocalOp<T>), Wide, 0),
        Unary("Relu", default(ReluOp<T>), Wide, 0),
        Unary("LeakyRelu", new LeakyReluOp<T>(C(0.01)), Wide, 0),
        Unary("Clamp", new ClampOp<T>(C(-1.5), C(2)), Wide, 0),
        Binary("Add", default(AddOp<T>), Wide, Wide, 0),
        Binary("Subtract", default(SubtractOp<T>), Wide, Wide, 0),
        Binary("Multiply", default(MultiplyOp<T>), Wide, Wide, 0),
        Binary("Divide", default(DivideOp<T>), Wide, Wide, 0),
        Binary("Maximum", default(MaximumOp<T>), Wide, Wide, 0),
        Binary("Minimum", default(MinimumOp<T>), Wide, Wide, 0),
        Binary("TakeSecond", default(TakeSecondOp<T>), Wide, Wide, 0),
        Binary("Pow", default(PowOp<T>), Positive, Moderate, 0),
        .. Enum.GetValues<Comparison>().Select(c => Binary($"Compare{c}", new CompareOp<T>(c), Small, Small, 0)),
        Binary("ReluBackward", default(ReluBackwardOp<T>), Wide, Moderate, 0),
        Binary("LeakyReluBackward", new LeakyReluBackwardOp<T>(C(0.2)), Wide, Moderate, 0),
        Binary("ClampBackward", new ClampBackwardOp<T>(C(-1.5), C(2)), Moderate, Moderate, 0),
        Binary("AbsBackward", default(AbsBackwardOp<T>), Wide, Moderate, 0),
        Binary("SquareBackward", default(SquareBackwardOp<T>), Moderate, Moderate, 0),
        Binary("SqrtBackward", default(SqrtBackwardOp<T>), Positive, Moderate, 0),
        Binary("ReciprocalBackward", default(ReciprocalBackwardOp<T>), Moderate, Moderate, 0),
        Binary("SigmoidBackward", default(SigmoidBackwardOp<T>), UnitInterval, Moderate, 0),
        Binary("TanhBackward", default(TanhBackwardOp<T>), UnitInterval, Moderate, 0),
        Binary("PowBackward", new PowBackwardOp<T>(C(2.5), C(1.5)), Positive, Moderate, 0),

        // .NET's vector Exp and Log against T.Exp and T.Log; σ through the vector Exp.
        Unary("Exp", default(ExpOp<T>), Moderate, 4),
        Unary("Log", default(LogOp<T>), Positive, 4),
        Unary("Sigmoid", default(SigmoidOp<T>), Moderate, 4),

        // Written once in double (VectorMath) against Math.Tanh and ScalarFunctions. A float result is the
        // double one rounded once, so both forms round the same nearly always: at most an ulp apart.
        Unary("Tanh", default(InDouble<T, TanhOp>), Moderate, IsFloat ? 1 : 4),
        Unary("Gelu", default(InDouble<T, GeluOp>), Moderate, IsFloat ? 1 : 8),
        Unary("GeluDerivative", default(InDouble<T, GeluDerivativeOp>), Moderate, IsFloat ? 1 : 8, floor: 0.25),
        Unary("GeluTanh", default(InDouble<T, GeluTanhOp>), Moderate, IsFloat ? 1 : 8),
        Unary("GeluTanhDerivative", default(InDouble<T, GeluTanhDerivativeOp>), Moderate, IsFloat ? 1 : 8, floor: 0.25),
        Unary("Softplus", new InDouble<T, SoftplusOp>(new(1, 20)), Moderate, IsFloat ? 1 : 8),
        Unary("SoftplusBeta2", new InDouble<T, SoftplusOp>(new(2, 3)), Moderate, IsFloat ? 1 : 8),
        Unary("SoftplusDerivative", new InDouble<T, SoftplusDerivativeOp>(new(2, 3)), Moderate, IsFloat ? 1 : 8),
        Binary("GeluBackward", default(Chain<T, InDouble<T, GeluDerivativeOp>>), Moderate, Moderate, IsFloat ? 1 : 8, floor: 0.25),
    ];

    public static WidthCase<T> Get(string name) => All.Single(c => c.Name == name);

    private static WidthCase<T> Unary<TOp>(string name, TOp op, Func<SeededRandom, int, double[]> domain, double ulps, double floor = 0)
        where TOp : struct, IUnaryOperator<T> => new UnaryWidthCase<T, TOp>(name, op, domain, ulps, floor);

    private static WidthCase<T> Binary<TOp>(
        string name, TOp op, Func<SeededRandom, int, double[]> x, Func<SeededRandom, int, double[]> y, double ulps, double floor = 0)
        where TOp : struct, IBinaryOperator<T> => new BinaryWidthCase<T, TOp>(name, op, x, y, ulps, floor);

    private static T C(double v) => T.CreateTruncating(v);

    /// <summary>Magnitudes 1e-30..1e30 of both signs.</summary>
    private static double[] Wide(SeededRandom r, int n) => LogUniform(r, n, -30, 30, signed: true);

    /// <summary>Positive magnitudes 1e-20..1e20.</summary>
    private static double[] Positive(SeededRandom r, int n) => LogUniform(r, n, -20, 20, signed: false);

    /// <summary>Magnitudes 1e-6..~30 of both signs: where the transcendentals change form, and their tails.</summary>
    private static double[] Moderate(SeededRandom r, int n) => LogUniform(r, n, -6, 1.5, signed: true);

    /// <summary>Values in (0, 1), as a sigmoid's output, and (−1, 1) magnitudes as a tanh's.</summary>
    private static double[] UnitInterval(SeededRandom r, int n) => Uniform(r, n, -1, 1);

    /// <summary>Integers −3..3, so that comparisons meet equal operands often.</summary>
    private static double[] Small(SeededRandom r, int n) => Uniform(r, n, -3, 4).Select(Math.Floor).ToArray();
}
