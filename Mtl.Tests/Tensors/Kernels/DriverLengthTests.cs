using System.Numerics;
using System.Runtime.Intrinsics;
using Mtl.Tensors;
using Mtl.Tensors.Kernels;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors.Kernels;

/// <summary>
/// The element-wise loops at every width (called directly, so Vector512 and Vector256 run in software
/// emulation where the hardware lacks them) and the drivers that pick among them, for every length from one
/// vector to 70 and a few large ones: each unrolled block, the single-vector loop and the overlapping last
/// vector. Exact ops, so the result must equal the scalar form bit for bit; inputs start off alignment,
/// the elements past the end must stay untouched, and in place (destination = an input) must give the same
/// bits. An accumulating pass must add exactly once where the last vector overlaps the loop.
/// </summary>
public class DriverLengthTests
{
    private static readonly int[] Lengths = [.. Enumerable.Range(0, 71), 127, 128, 129, 255, 1000, 4099];

    [Test]
    public void FloatLoopsAtEveryWidthMatchTheScalarForm() => CheckLoops<float>();

    [Test]
    public void DoubleLoopsAtEveryWidthMatchTheScalarForm() => CheckLoops<double>();

    [Test]
    public void FloatDriversMatchTheScalarFormForEveryLength() => CheckDrivers<float>();

    [Test]
    public void DoubleDriversMatchTheScalarFormForEveryLength() => CheckDrivers<double>();

    [Test]
    public void AccumulateFalseWritesAndIgnoresTheOldContents()
    {
        foreach (int n in Lengths)
        {
            var (x, y, _) = Operands<double>(n, 11);
            var stale = Enumerable.Repeat(double.NaN, n + 2).ToArray();
            ElementwiseDriver.Accumulate<double, SquareBackwardOp<double>>(x.AsSpan(1, n), y.AsSpan(1, n), stale.AsSpan(1, n), default, accumulate: false);
            for (int i = 0; i < n; i++)
            {
                Assert.That(stale[i + 1], Is.EqualTo(2 * x[i + 1] * y[i + 1]), $"n = {n}, i = {i}");
            }

            Assert.That(double.IsNaN(stale[0]) && double.IsNaN(stale[n + 1]), $"n = {n}: wrote outside the destination");
        }
    }

    [Test]
    public void ShortDestinationsAndMismatchedOperandsThrow()
    {
        var a = new float[8];
        Assert.Throws<ArgumentException>(() => ElementwiseDriver.Unary<float, ReluOp<float>>(a, a.AsSpan(0, 7), default));
        Assert.Throws<ArgumentException>(() => ElementwiseDriver.Binary<float, AddOp<float>>(a, a.AsSpan(0, 7), a, default));
        Assert.Throws<ArgumentException>(() => ElementwiseDriver.Binary<float, AddOp<float>>(a, 1f, a.AsSpan(0, 7), default));
        Assert.Throws<ArgumentException>(() => ElementwiseDriver.Binary<float, AddOp<float>>(1f, a, a.AsSpan(0, 7), default));
        Assert.Throws<ArgumentException>(() => ElementwiseDriver.Accumulate<float, AddOp<float>>(a, a, a.AsSpan(0, 7), default, accumulate: true));
    }

    private static void CheckLoops<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CheckWidth<T, Vector128<T>, W128<T>>();
        CheckWidth<T, Vector256<T>, W256<T>>();
        CheckWidth<T, Vector512<T>, W512<T>>();
    }

    private static void CheckWidth<T, TV, TW>()
        where T : unmanaged, IFloatingPointIeee754<T>
        where TV : struct
        where TW : struct, ISimdWidth<TV, T>
    {
        foreach (int n in Lengths.Where(n => n >= TW.Count))
        {
            string at = $"{typeof(TV).Name} n = {n}";
            Check<T>(n, at, (x, d) => SimdLoops<TV, TW, T>.Unary(ref x[0], ref d[0], (nuint)x.Length, new LeakyReluOp<T>(T.CreateTruncating(0.25))),
                (x, y, d) => SimdLoops<TV, TW, T>.Binary(ref x[0], ref y[0], ref d[0], (nuint)x.Length, default(SubtractOp<T>)),
                (x, s, d) => SimdLoops<TV, TW, T>.Binary(ref x[0], s, ref d[0], (nuint)x.Length, default(SubtractOp<T>)),
                (s, y, d) => SimdLoops<TV, TW, T>.Binary(s, ref y[0], ref d[0], (nuint)y.Length, default(SubtractOp<T>)),
                (x, y, d) => SimdLoops<TV, TW, T>.Accumulate(ref x[0], ref y[0], ref d[0], (nuint)x.Length, default(SquareBackwardOp<T>)));
        }
    }

    private static void CheckDrivers<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int n in Lengths)
        {
            Check<T>(n, $"driver n = {n}", (x, d) => ElementwiseDriver.Unary(x, d, new LeakyReluOp<T>(T.CreateTruncating(0.25))),
                (x, y, d) => ElementwiseDriver.Binary(x, y, d, default(SubtractOp<T>)),
                (x, s, d) => ElementwiseDriver.Binary(x, s, d, default(SubtractOp<T>)),
                (s, y, d) => ElementwiseDriver.Binary(s, y, d, default(SubtractOp<T>)),
                (x, y, d) => ElementwiseDriver.Accumulate(x, y, d, default(SquareBackwardOp<T>), accumulate: true));
        }
    }

    private delegate void UnaryPass<T>(Span<T> x, Span<T> destination);

    private delegate void BinaryPass<T>(Span<T> x, Span<T> y, Span<T> destination);

    private delegate void RightScalarPass<T>(Span<T> x, T y, Span<T> destination);

    private delegate void LeftScalarPass<T>(T x, Span<T> y, Span<T> destination);

    /// <summary>Each shape of pass at length n against the scalar forms, out of place and in place.</summary>
    private static void Check<T>(
        int n, string at, UnaryPass<T> unary, BinaryPass<T> binary, RightScalarPass<T> right, LeftScalarPass<T> left, BinaryPass<T> accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var leaky = new LeakyReluOp<T>(T.CreateTruncating(0.25));
        var (x, y, d0) = Operands<T>(n, n);
        T s = T.CreateTruncating(0.375);
        Span<T> X() => x.AsSpan(1, n);
        Span<T> Y() => y.AsSpan(1, n);

        var d = Destination<T>(n);
        unary(X(), d.AsSpan(1, n));
        Expect(d, i => leaky.Invoke(x[i]), $"unary {at}");
        var inPlace = (T[])x.Clone();
        unary(inPlace.AsSpan(1, n), inPlace.AsSpan(1, n));
        Expect(inPlace, i => leaky.Invoke(x[i]), $"unary in place {at}", x);

        d = Destination<T>(n);
        binary(X(), Y(), d.AsSpan(1, n));
        Expect(d, i => x[i] - y[i], $"binary {at}");
        inPlace = (T[])x.Clone();
        binary(inPlace.AsSpan(1, n), Y(), inPlace.AsSpan(1, n));
        Expect(inPlace, i => x[i] - y[i], $"binary in place of x {at}", x);
        inPlace = (T[])y.Clone();
        binary(X(), inPlace.AsSpan(1, n), inPlace.AsSpan(1, n));
        Expect(inPlace, i => x[i] - y[i], $"binary in place of y {at}", y);

        d = Destination<T>(n);
        right(X(), s, d.AsSpan(1, n));
        Expect(d, i => x[i] - s, $"vector-scalar {at}");
        d = Destination<T>(n);
        left(s, Y(), d.AsSpan(1, n));
        Expect(d, i => s - y[i], $"scalar-vector {at}");

        d = (T[])d0.Clone();
        accumulate(X(), Y(), d.AsSpan(1, n));
        Expect(d, i => d0[i] + ((x[i] + x[i]) * y[i]), $"accumulate {at}", d0);
    }

    /// <summary>x, y and a destination's old contents, each with one guard element either side.</summary>
    private static (T[] X, T[] Y, T[] D) Operands<T>(int n, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(seed + 1);
        T[] Make() => [T.CreateTruncating(-7), .. Uniform(random, n, -2, 2).Select(T.CreateTruncating), T.CreateTruncating(-7)];
        return (Make(), Make(), Make());
    }

    private static T[] Destination<T>(int n)
        where T : unmanaged, IFloatingPointIeee754<T> => Enumerable.Repeat(T.CreateTruncating(-7), n + 2).ToArray();

    /// <summary>Elements 1..n equal <paramref name="expected"/> bit for bit, and the guards equal the original array's.</summary>
    private static void Expect<T>(T[] actual, Func<int, T> expected, string what, T[]? original = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = actual.Length - 2;
        for (int i = 1; i <= n; i++)
        {
            if (!SameBits(actual[i], double.CreateTruncating(expected(i))))
            {
                Assert.Fail($"{what}: element {i - 1} is {actual[i]}, the scalar form gives {expected(i)}.");
            }
        }

        T guard = original is null ? T.CreateTruncating(-7) : original[0];
        Assert.That(actual[0] == guard && actual[n + 1] == (original is null ? guard : original[n + 1]), Is.True, $"{what}: wrote outside the destination");
    }
}
