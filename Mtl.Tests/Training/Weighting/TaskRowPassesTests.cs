using Mtl.Tensors;
using Mtl.Training.Weighting;
using static Mtl.Tests.Training.Weighting.GradientMath;

namespace Mtl.Tests.Training.Weighting;

/// <summary>
/// The Gram matrix and the combination a Gram-based step takes over the rows in the model's precision, against
/// plain float64 loops; and PCGrad in coefficient form against the paper's row algorithm.
/// </summary>
public class TaskRowPassesTests
{
    /// <summary>Rows longer than several Gram blocks (16 Ki values each), with a ragged last chunk.</summary>
    private const int Length = (3 * 16 * 1024) + 1000 + 7;

    [TestCase(1)]
    [TestCase(5)]
    [TestCase(8)]
    public void TheGramMatrixOfDoubleRowsIsTheirDotProducts(int tasks)
    {
        var rows = Rows<double>(tasks, seed: 1);
        var wide = rows.Select(r => r.ToArray()).ToArray();
        var gram = new double[tasks, tasks];
        new TaskRowPasses<double>().Gram(rows, tasks, Length, gram);
        for (int i = 0; i < tasks; i++)
        {
            for (int j = 0; j < tasks; j++)
            {
                double scale = Norm(wide[i]) * Norm(wide[j]);
                Assert.That(gram[i, j], Is.EqualTo(Dot(wide[i], wide[j])).Within(1e-13 * scale), $"G[{i},{j}]");
                Assert.That(gram[i, j], Is.EqualTo(gram[j, i]), "G is symmetric to the bit");
            }
        }
    }

    /// <summary>A float row's chunks are reduced in float and summed in float64: G is within the float rounding of
    /// the exact dot products of the stored values (the reference widens them and sums in float64).</summary>
    [Test]
    public void TheGramMatrixOfFloatRowsIsWithinFloatRounding()
    {
        const int tasks = 6;
        var rows = Rows<float>(tasks, seed: 2);
        var wide = rows.Select(r => r.Select(v => (double)v).ToArray()).ToArray();
        var gram = new double[tasks, tasks];
        new TaskRowPasses<float>().Gram(rows, tasks, Length, gram);
        for (int i = 0; i < tasks; i++)
        {
            for (int j = 0; j < tasks; j++)
            {
                double scale = Norm(wide[i]) * Norm(wide[j]);
                Assert.That(gram[i, j], Is.EqualTo(Dot(wide[i], wide[j])).Within(1e-6 * scale), $"G[{i},{j}]");
            }
        }
    }

    [Test]
    public void TheCombinationIsTheWeightedSumInFloat64()
    {
        const int tasks = 5;
        double[] weights = [0.5, -1.25, 2, 0, 1e-3];
        foreach (var (rows, wide) in new[] { Both<float>(tasks, 3), Both<double>(tasks, 4) })
        {
            var d = Enumerable.Repeat(double.NaN, Length).ToArray();
            if (rows is float[][] f)
            {
                new TaskRowPasses<float>().Combination(f, tasks, weights, d);
            }
            else
            {
                new TaskRowPasses<double>().Combination((double[][])rows, tasks, weights, d);
            }

            var expected = Combination(wide, weights);
            Assert.That(d, Is.EqualTo(expected).Within(1e-14).AsCollection, rows.GetType().Name);
        }
    }

    /// <summary>The Gram matrix's blocks are fixed by the length and summed in order; the combination's elements are
    /// independent: one and two threads give the same bits.</summary>
    [Test]
    public void OneAndTwoThreadsAgreeBitwise()
    {
        const int tasks = 8;
        var rows = Rows<float>(tasks, seed: 5);
        double[] weights = [.. Enumerable.Range(0, tasks).Select(i => 0.3 * (i - 3.5))];
        (double[,] Gram, double[] D) Run(int threads)
        {
            int previous = MtlThreads.Count;
            try
            {
                MtlThreads.Count = threads;
                var passes = new TaskRowPasses<float>();
                var gram = new double[tasks, tasks];
                var d = new double[Length];
                passes.Gram(rows, tasks, Length, gram);
                passes.Combination(rows, tasks, weights, d);
                return (gram, d);
            }
            finally
            {
                MtlThreads.Count = previous;
            }
        }

        var one = Run(1);
        var two = Run(2);
        Assert.That(two.Gram, Is.EqualTo(one.Gram).AsCollection);
        Assert.That(two.D, Is.EqualTo(one.D).AsCollection);
    }

    /// <summary>PCGrad on G (coefficients of the original rows) takes the paper's steps on the rows themselves,
    /// with the same random orders, at seven tasks where many pairs conflict.</summary>
    [Test]
    public void PCGradInCoefficientFormTakesThePapersSteps()
    {
        const int tasks = 7, length = 40, seed = 11;
        var random = new SeededRandom(3);
        var g = Enumerable.Range(0, tasks).Select(_ => Enumerable.Range(0, length).Select(_ => random.NextNormal()).ToArray()).ToArray();

        var orders = new SeededRandom(seed);
        var expected = new double[length];
        for (int i = 0; i < tasks; i++)
        {
            var p = (double[])g[i].Clone();
            foreach (int j in orders.Permutation(tasks).Where(j => j != i))
            {
                double dot = Dot(p, g[j]);
                if (dot < 0)
                {
                    double c = dot / Dot(g[j], g[j]);
                    for (int e = 0; e < length; e++)
                    {
                        p[e] -= c * g[j][e];
                    }
                }
            }

            for (int e = 0; e < length; e++)
            {
                expected[e] += p[e];
            }
        }

        var pcgrad = new PCGradCombiner(seed);
        Assert.That(pcgrad.Combine(g), Is.EqualTo(expected).Within(1e-12).AsCollection);
    }

    /// <summary>A zero row (an absent task) gets weight 0 from the Gram path, and the others are solved without it.</summary>
    [Test]
    public void AZeroRowIsLeftOutOfTheGramWeights()
    {
        double[][] g = [[1, 0, 0], [0, 0, 0], [0, 1, 0]];
        var weights = new double[3];
        new MgdaCombiner().WeightsInto(["a", "b", "c"], FlatVectors.Gram(g), weights);
        Assert.That(weights, Is.EqualTo(new[] { 0.5, 0, 0.5 }).Within(1e-12));

        new PCGradCombiner().WeightsInto(["a", "b", "c"], FlatVectors.Gram(g), weights);
        Assert.That(weights, Is.EqualTo(new[] { 1.0, 1.0, 1.0 }), "no projection onto a zero row, and its own term adds nothing");
    }

    private static T[][] Rows<T>(int tasks, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        [.. Enumerable.Range(0, tasks).Select(i => Tensor.RandomNormal<T>(seed * 100 + i, Length).ToArray())];

    private static (Array Rows, double[][] Wide) Both<T>(int tasks, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rows = Rows<T>(tasks, seed);
        return (rows, [.. rows.Select(r => r.Select(double.CreateTruncating).ToArray())]);
    }
}
