using System.Numerics;
using MathNet.Numerics.Statistics;
using Mtl.Tensors;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors;

/// <summary>Reductions along every axis of random rank-1..4 tensors against naive loops.</summary>
public class ReductionTests
{
    [Test]
    public void AxisReductionsMatchNaiveLoopsFloat() => AxisReductions<float>(21);

    [Test]
    public void AxisReductionsMatchNaiveLoopsDouble() => AxisReductions<double>(22);

    [Test]
    public void TotalReductionsMatchNaiveLoops()
    {
        var random = new SeededRandom(23);
        foreach (int n in new[] { 1, 2, 7, 8, 9, 16, 17, 31, 33, 64, 100, 257, 1000 })
        {
            var x = Random<float>(random, new Shape(n));
            var v = ToDoubles(x);
            double abs = v.Sum(Math.Abs);
            Assert.That(Tensor.Sum(x), Is.EqualTo(v.Sum()).Within(SumBound<float>(n, abs)), $"Sum n = {n}");
            Assert.That(Tensor.Mean(x), Is.EqualTo(v.Average()).Within(SumBound<float>(n + 1, abs) / n), $"Mean n = {n}");
            Assert.That(Tensor.Max(x), Is.EqualTo((float)v.Max()), $"Max n = {n}");
            Assert.That(Tensor.Min(x), Is.EqualTo((float)v.Min()), $"Min n = {n}");
        }
    }

    [Test]
    public void EmptyTensors()
    {
        var empty = new Tensor<float>(2, 0);
        Assert.That(Tensor.Sum(empty), Is.Zero);
        Assert.That(float.IsNaN(Tensor.Mean(empty)), "mean of nothing is NaN, as in PyTorch");
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Max(empty));
        Assert.That(ex!.Message, Does.StartWith("Max:").And.Contain("[2, 0]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Min(empty));
        Assert.That(ex!.Message, Does.StartWith("Min:").And.Contain("[2, 0]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Max(empty, 1));
        Assert.That(ex!.Message, Does.StartWith("Max:").And.Contain("[2, 0]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.ArgMax(empty, -1));
        Assert.That(ex!.Message, Does.StartWith("ArgMax:").And.Contain("[2, 0]"));

        // Reducing over a non-empty axis of an empty tensor is fine and gives an empty result.
        Assert.That(Tensor.Max(empty, 0).Shape, Is.EqualTo(new Shape(0)));
        var sum = Tensor.Sum(empty, 1);
        Assert.That(sum.ToArray(), Is.EqualTo(new[] { 0f, 0f }));
    }

    [Test]
    public void AxisOutOfRangeThrows()
    {
        var x = Tensor.Ones<float>(2, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Sum(x, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Sum(x, -3));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Max(x, 5));
        Assert.That(ex!.Message, Does.Contain("[2, 3]"));
    }

    [Test]
    public void ArgMaxTakesTheFirstOfTiesAndTheFirstNaN()
    {
        var x = Tensor.FromArray<float>([1f, 3f, 3f, 2f, /**/ float.NaN, 5f, float.NaN, 1f, /**/ 0f, 0f, 0f, 0f, /**/ 4f, 4f, float.NaN, 4f], 4, 4);
        Assert.That(Tensor.ArgMax(x, 1), Is.EqualTo(new[] { 1, 0, 0, 2 }));
        Assert.That(Tensor.ArgMax(x, -1), Is.EqualTo(new[] { 1, 0, 0, 2 }));

        // Along axis 0: column 0 = [1, NaN, 0, 4] → 1; column 1 = [3, 5, 0, 4] → 1; column 2 = [3, NaN, 0, NaN] → 1; column 3 = [2, 1, 0, 4] → 3.
        Assert.That(Tensor.ArgMax(x, 0), Is.EqualTo(new[] { 1, 1, 1, 3 }));
    }

    [Test]
    public void ArgMaxAlongEveryAxisMatchesNaiveLoop()
    {
        var random = new SeededRandom(24);
        for (int trial = 0; trial < 60; trial++)
        {
            var shape = RandomShape(random, 1 + random.NextInt(4), 1, 5);
            var x = new Tensor<double>(shape);
            for (int i = 0; i < x.Length; i++)
            {
                x.Span[i] = random.NextInt(4); // small integers: ties everywhere
            }

            for (int axis = 0; axis < shape.Rank; axis++)
            {
                var got = Tensor.ArgMax(x, axis);
                var (outer, n, inner) = (shape.OuterSize(axis), shape[axis], shape.InnerSize(axis));
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        int best = 0;
                        for (int k = 1; k < n; k++)
                        {
                            if (x.Span[(((o * n) + k) * inner) + i] > x.Span[(((o * n) + best) * inner) + i])
                            {
                                best = k;
                            }
                        }

                        Assert.That(got[(o * inner) + i], Is.EqualTo(best), $"ArgMax {shape} axis {axis}");
                    }
                }
            }
        }
    }

    [Test]
    public void VarianceMatchesMathNetWithBothCorrections()
    {
        var random = new SeededRandom(25);
        for (int trial = 0; trial < 40; trial++)
        {
            var shape = RandomShape(random, 1 + random.NextInt(3), 2, 6);
            var x = Tensor.RandomNormal<double>(random, shape, mean: 3, std: 2);
            for (int axis = -shape.Rank; axis < shape.Rank; axis++)
            {
                int a = shape.NormalizeAxis(axis);
                var sample = Tensor.Variance(x, axis: axis);
                var population = Tensor.Variance(x, axis, correction: 0, keepDim: true);
                Assert.That(sample.Shape, Is.EqualTo(shape.Reduce(a, false)));
                Assert.That(population.Shape, Is.EqualTo(shape.Reduce(a, true)));
                var (outer, n, inner) = (shape.OuterSize(a), shape[a], shape.InnerSize(a));
                for (int o = 0; o < outer; o++)
                {
                    for (int i = 0; i < inner; i++)
                    {
                        var values = Enumerable.Range(0, n).Select(k => x.Span[(((o * n) + k) * inner) + i]).ToArray();
                        Assert.That(sample.Span[(o * inner) + i], Is.EqualTo(values.Variance()).Within(1e-11).Percent, $"{shape} axis {axis}");
                        Assert.That(population.Span[(o * inner) + i], Is.EqualTo(values.PopulationVariance()).Within(1e-11).Percent, $"{shape} axis {axis}");
                    }
                }
            }

            var all = x.ToArray();
            Assert.That(Tensor.Variance(x), Is.EqualTo(all.Variance()).Within(1e-11).Percent);
            Assert.That(Tensor.Variance(x, unbiased: false), Is.EqualTo(all.PopulationVariance()).Within(1e-11).Percent);
        }
    }

    [Test]
    public void SumToIsTheAdjointOfBroadcastTo()
    {
        var random = new SeededRandom(26);
        for (int trial = 0; trial < 300; trial++)
        {
            var big = RandomShape(random, random.NextInt(5), random.NextInt(10) == 0 ? 0 : 1, 4);
            var small = Smaller(random, big);
            var x = Random<double>(random, small);
            var y = Random<double>(random, big);

            // <BroadcastTo(x), y> = <x, SumTo(y)>: the two sides add the same products in different orders.
            var bx = Tensor.BroadcastTo(x, big);
            var sy = Tensor.SumTo(y, small);
            Assert.That(sy.Shape, Is.EqualTo(small));
            double lhs = 0, rhs = 0, scale = 0;
            for (int i = 0; i < y.Length; i++)
            {
                lhs += bx.Span[i] * y.Span[i];
                scale += Math.Abs(bx.Span[i] * y.Span[i]);
            }

            for (int i = 0; i < x.Length; i++)
            {
                rhs += x.Span[i] * sy.Span[i];
            }

            Assert.That(rhs, Is.EqualTo(lhs).Within(SumBound<double>(2 * y.Length + 2, scale)), $"{small} -> {big}");

            // And SumTo element by element against a naive scatter-add.
            var naive = new double[small.Length];
            for (int i = 0; i < y.Length; i++)
            {
                naive[BroadcastSource(Unravel(i, big), small)] += y.Span[i];
            }

            for (int i = 0; i < naive.Length; i++)
            {
                Assert.That(sy.Span[i], Is.EqualTo(naive[i]).Within(SumBound<double>(y.Length + 1, y.ToArray().Sum(Math.Abs))), $"SumTo {big} -> {small} at {i}");
            }

            // accumulate: destination += SumTo(y).
            var acc = Tensor.Full(1.5, small.ToArray());
            Tensor.SumTo(y, acc, accumulate: true);
            for (int i = 0; i < acc.Length; i++)
            {
                Assert.That(acc.Span[i], Is.EqualTo(1.5 + sy.Span[i]).Within(1e-12 * (1 + Math.Abs(sy.Span[i]))), $"SumTo accumulate {big} -> {small}");
            }
        }
    }

    [Test]
    public void SumToAShapeThatDoesNotBroadcastThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.SumTo(Tensor.Ones<float>(2, 3), new Shape(2)));
        Assert.That(ex!.Message, Does.StartWith("SumTo:").And.Contain("[2, 3]").And.Contain("[2]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.SumTo(Tensor.Ones<float>(3), new Shape(2, 3)));
        Assert.That(ex!.Message, Does.StartWith("SumTo:").And.Contain("[3]").And.Contain("[2, 3]"));
    }

    private static void AxisReductions<T>(ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(seed);
        for (int trial = 0; trial < 80; trial++)
        {
            var shape = RandomShape(random, 1 + random.NextInt(4), trial % 10 == 0 ? 0 : 1, 6);
            var x = Random<T>(random, shape);
            for (int axis = -shape.Rank; axis < shape.Rank; axis++)
            {
                int a = shape.NormalizeAxis(axis);
                var (outer, n, inner) = (shape.OuterSize(a), shape[a], shape.InnerSize(a));
                foreach (bool keepDim in new[] { false, true })
                {
                    string what = $"{typeof(T).Name} {shape} axis {axis} keepDim {keepDim}";
                    var expectedShape = shape.Reduce(a, keepDim);
                    var sum = Tensor.Sum(x, axis, keepDim);
                    var mean = Tensor.Mean(x, axis, keepDim);
                    Assert.That(sum.Shape, Is.EqualTo(expectedShape), what);
                    Assert.That(mean.Shape, Is.EqualTo(expectedShape), what);
                    Tensor<T>? max = null, min = null;
                    if (n > 0)
                    {
                        max = Tensor.Max(x, axis, keepDim);
                        min = Tensor.Min(x, axis, keepDim);
                        Assert.That(max.Shape, Is.EqualTo(expectedShape), what);
                    }

                    for (int o = 0; o < outer; o++)
                    {
                        for (int i = 0; i < inner; i++)
                        {
                            double s = 0, abs = 0, hi = double.NegativeInfinity, lo = double.PositiveInfinity;
                            for (int k = 0; k < n; k++)
                            {
                                double v = double.CreateTruncating(x.Span[(((o * n) + k) * inner) + i]);
                                s += v;
                                abs += Math.Abs(v);
                                hi = Math.Max(hi, v);
                                lo = Math.Min(lo, v);
                            }

                            int r = (o * inner) + i;
                            Assert.That(double.CreateTruncating(sum.Span[r]), Is.EqualTo(s).Within(SumBound<T>(n, abs)), what + " Sum");
                            if (n > 0)
                            {
                                Assert.That(double.CreateTruncating(mean.Span[r]), Is.EqualTo(s / n).Within(SumBound<T>(n + 2, abs) / n), what + " Mean");
                                Assert.That(double.CreateTruncating(max!.Span[r]), Is.EqualTo(hi), what + " Max");
                                Assert.That(double.CreateTruncating(min!.Span[r]), Is.EqualTo(lo), what + " Min");
                            }
                            else
                            {
                                Assert.That(T.IsNaN(mean.Span[r]), what + " Mean of nothing");
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The classical bound on the rounding error of any summation order: (n − 1)·u·Σ|xᵢ|, u = ε/2,
    /// here n·ε·Σ|xᵢ| to cover the final rounding too.</summary>
    private static double SumBound<T>(int n, double absSum)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Math.Max(n, 1) * Eps<T>() * absSum;

    private static double Eps<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => typeof(T) == typeof(float) ? Math.Pow(2, -23) : Math.Pow(2, -52);

    /// <summary>A shape that broadcasts to <paramref name="big"/>: leading axes dropped, some axes set to 1.</summary>
    private static Shape Smaller(SeededRandom random, Shape big)
    {
        int drop = random.NextInt(big.Rank + 1);
        var d = new int[big.Rank - drop];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = random.NextInt(2) == 0 ? 1 : big[i + drop];
        }

        return new Shape(d);
    }
}
