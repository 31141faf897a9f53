using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>PCGrad, MGDA and CAGrad against their formulas on hand-made cases.</summary>
public class GradientCombinerTests
{
    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static double[] Combination(double[][] g, double[] w) =>
        Enumerable.Range(0, g[0].Length).Select(d => Enumerable.Range(0, g.Length).Sum(i => w[i] * g[i][d])).ToArray();

    [Test]
    public void SumAddsTheTaskGradients()
    {
        var d = new SumCombiner().Combine([[1.0, 2], [3.0, -1]]);
        Assert.That(d, Is.EqualTo(new[] { 4.0, 1.0 }));
    }

    [Test]
    public void PCGradLeavesANonConflictingPairUnchanged()
    {
        double[] g1 = [1, 1], g2 = [1, 0];
        Assert.That(new PCGradCombiner().Combine([g1, g2]), Is.EqualTo(new[] { 2.0, 1.0 }));
    }

    [Test]
    public void PCGradProjectsAConflictingPairOntoEachOthersNormalPlane()
    {
        double[] g1 = [1, 0], g2 = [-1, 1];
        // g1·g2 = −1: g1ᴾᶜ = g1 + ½g2 = (½, ½) ⟂ g2; g2ᴾᶜ = g2 + g1 = (0, 1) ⟂ g1.
        double[] p1 = [0.5, 0.5], p2 = [0, 1];
        Assert.That(Dot(p1, g2), Is.Zero);
        Assert.That(Dot(p2, g1), Is.Zero);
        Assert.That(new PCGradCombiner().Combine([g1, g2]), Is.EqualTo(new[] { p1[0] + p2[0], p1[1] + p2[1] }).Within(1e-15));
    }

    [Test]
    public void PCGradWithThreeTasksFollowsTheSeededOrder()
    {
        double[][] g = [[1, 0, 0.5], [-1, 1, 0], [-0.5, -1, 1]];
        const int seed = 42;

        // Reference: Algorithm 1 with the orders drawn from the same generator.
        var random = new SeededRandom(seed);
        var expected = new double[3];
        for (int i = 0; i < 3; i++)
        {
            var p = (double[])g[i].Clone();
            foreach (int j in random.Permutation(3).Where(j => j != i))
            {
                double dot = Dot(p, g[j]);
                if (dot < 0)
                {
                    double c = dot / Dot(g[j], g[j]);
                    for (int d = 0; d < 3; d++)
                    {
                        p[d] -= c * g[j][d];
                    }
                }
            }

            for (int d = 0; d < 3; d++)
            {
                expected[d] += p[d];
            }
        }

        Assert.That(new PCGradCombiner(seed).Combine(g), Is.EqualTo(expected).Within(1e-15));
    }

    [Test]
    public void MgdaOfOrthogonalUnitGradientsIsTheirMidpoint()
    {
        var mgda = new MgdaCombiner();
        var d = mgda.Combine([[1.0, 0], [0.0, 1]]);
        Assert.That(mgda.LastWeights, Is.EqualTo(new[] { 0.5, 0.5 }));
        Assert.That(d, Is.EqualTo(new[] { 0.5, 0.5 }));
    }

    [Test]
    public void MgdaClampsWhenOneGradientDominates()
    {
        // ((g2 − g1)·g2)/‖g1 − g2‖² = 6/4 > 1 → α = 1: the shorter g1 is the min-norm point.
        var mgda = new MgdaCombiner();
        Assert.That(mgda.Combine([[1.0, 0], [3.0, 0]]), Is.EqualTo(new[] { 1.0, 0.0 }));
        Assert.That(mgda.LastWeights, Is.EqualTo(new[] { 1.0, 0.0 }));

        // ((g2 − g1)·g2)/‖g1 − g2‖² = −0.75/3.25 < 0 → α = 0.
        Assert.That(mgda.Combine([[2.0, 1], [0.5, 0]]), Is.EqualTo(new[] { 0.5, 0.0 }));
        Assert.That(mgda.LastWeights, Is.EqualTo(new[] { 0.0, 1.0 }));
    }

    [Test]
    public void MgdaTwoTaskClosedForm()
    {
        double[] g1 = [1, 0.3], g2 = [-0.2, 1];
        double alpha = Dot([g2[0] - g1[0], g2[1] - g1[1]], g2) / Dot([g1[0] - g2[0], g1[1] - g2[1]], [g1[0] - g2[0], g1[1] - g2[1]]);
        Assert.That(alpha, Is.InRange(0.0, 1.0));
        Assert.That(MinNormSolver.TwoVectors(Dot(g1, g1), Dot(g1, g2), Dot(g2, g2)), Is.EqualTo(alpha).Within(1e-15));
        var d = new MgdaCombiner().Combine([g1, g2]);
        Assert.That(d, Is.EqualTo(Combination([g1, g2], [alpha, 1 - alpha])).Within(1e-15));
    }

    [Test]
    public void MgdaFrankWolfeWithADuplicatedTaskAgreesWithTheClosedForm()
    {
        double[] g1 = [1, 0.3], g2 = [-0.2, 1];
        var two = new MgdaCombiner().Combine([g1, g2]);
        double alpha = MinNormSolver.TwoVectors(Dot(g1, g1), Dot(g1, g2), Dot(g2, g2));
        foreach (var order in new[] { new[] { g1, g2, g1 }, [g2, g1, g2], [g1, g1, g2] })
        {
            var mgda = new MgdaCombiner();
            var three = mgda.Combine(order);
            Assert.That(three, Is.EqualTo(two).Within(1e-12));
            double onG1 = Enumerable.Range(0, 3).Where(i => ReferenceEquals(order[i], g1)).Sum(i => mgda.LastWeights![i]);
            Assert.That(onG1, Is.EqualTo(alpha).Within(1e-12));
        }
    }

    [TestCase(new[] { 1.0, 0.2, -0.1, -0.3, 1.0, 0.2, 0.2, -0.4, 1.0 })]
    [TestCase(new[] { 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0 })]
    [TestCase(new[] { 2.0, 1.0, 0.5, 1.5, 2.0, -0.5, 3.0, 0.2, 0.1 })]
    [TestCase(new[] { 1.0, 0.0, 0.0, -1.0, 1.0, 0.0, -1.0, -1.0, 0.0 })]
    public void MgdaFrankWolfeFindsTheMinNormPointOfTheHull(double[] flat)
    {
        double[][] g = [flat[0..3], flat[3..6], flat[6..9]];
        var d = new MgdaCombiner().Combine(g);
        double solved = Dot(d, d);

        // Grid search over the simplex (step 1/300): the grid minimum is an upper bound within
        // O(step²·‖G‖²) of the true minimum.
        const int n = 300;
        double grid = double.PositiveInfinity;
        for (int a = 0; a <= n; a++)
        {
            for (int b = 0; a + b <= n; b++)
            {
                var v = Combination(g, [a / (double)n, b / (double)n, (n - a - b) / (double)n]);
                grid = Math.Min(grid, Dot(v, v));
            }
        }

        Assert.That(solved, Is.LessThanOrEqualTo(grid + 1e-12));
        Assert.That(solved, Is.GreaterThanOrEqualTo(grid - 1e-4));
    }

    [Test]
    public void MgdaL2NormalisationSolvesOnUnitGradients()
    {
        // Raw: α = 1/101 favours the short gradient; on unit vectors α = ½, applied to the raw gᵢ.
        var raw = new MgdaCombiner();
        raw.Combine([[10.0, 0], [0.0, 1]]);
        Assert.That(raw.LastWeights![0], Is.EqualTo(1.0 / 101).Within(1e-15));
        var normalised = new MgdaCombiner(new MgdaOptions(MgdaNormalization.L2, ScaleByTaskCount: true));
        Assert.That(normalised.Combine([[10.0, 0], [0.0, 1]]), Is.EqualTo(new[] { 10.0, 1.0 }).Within(1e-15));
        Assert.That(normalised.LastWeights, Is.EqualTo(new[] { 0.5, 0.5 }).Within(1e-15));
    }

    [Test]
    public void CAGradWithCZeroIsTheMeanGradient()
    {
        double[][] g = [[1, -2, 0.5], [-3, 1, 2], [0.5, 0.5, -1]];
        var d = new CAGradCombiner(new CAGradOptions(C: 0)).Combine(g);
        Assert.That(d, Is.EqualTo(new[] { -0.5, -1.0 / 6, 0.5 }).Within(1e-15));
    }

    [Test]
    public void CAGradSolvesTheDualAndStaysOnTheBall()
    {
        double[][] g = [[1, 0.2], [-0.8, 1]];
        const double c = 0.5;
        var cagrad = new CAGradCombiner(new CAGradOptions(c, CAGradRescale.None));
        var d = cagrad.Combine(g);
        var g0 = Combination(g, [0.5, 0.5]);
        double sqrtPhi = c * Math.Sqrt(Dot(g0, g0));

        // The inner objective at the solver's w against a fine grid on [0, 1].
        double[,] gram = { { Dot(g[0], g[0]), Dot(g[0], g[1]) }, { Dot(g[1], g[0]), Dot(g[1], g[1]) } };
        double solved = CAGradDual.Objective(gram, cagrad.LastWeights!.ToArray(), sqrtPhi);
        double grid = Enumerable.Range(0, 100001).Min(i => CAGradDual.Objective(gram, [i / 100000.0, 1 - (i / 100000.0)], sqrtPhi));
        Assert.That(solved, Is.LessThanOrEqualTo(grid + 1e-12));

        // d lies on the sphere ‖d − g0‖ = c‖g0‖ and improves the worst task over plain g0.
        var offset = d.Zip(g0, (a, b) => a - b).ToArray();
        Assert.That(Math.Sqrt(Dot(offset, offset)), Is.EqualTo(sqrtPhi).Within(1e-12));
        Assert.That(Math.Min(Dot(g[0], d), Dot(g[1], d)), Is.GreaterThan(Math.Min(Dot(g[0], g0), Dot(g[1], g0))));
    }

    [Test]
    public void CAGradThreeTasksInnerProblemMatchesGridSearch()
    {
        double[][] g = [[1, 0.2, -0.1], [-0.3, 1, 0.2], [0.2, -0.4, 1]];
        var cagrad = new CAGradCombiner(new CAGradOptions(0.4));
        cagrad.Combine(g);
        var gram = new double[3, 3];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                gram[i, j] = Dot(g[i], g[j]);
            }
        }

        var g0 = Combination(g, [1 / 3.0, 1 / 3.0, 1 / 3.0]);
        double sqrtPhi = 0.4 * Math.Sqrt(Dot(g0, g0));
        double solved = CAGradDual.Objective(gram, cagrad.LastWeights!.ToArray(), sqrtPhi);
        const int n = 300;
        double grid = double.PositiveInfinity;
        for (int a = 0; a <= n; a++)
        {
            for (int b = 0; a + b <= n; b++)
            {
                grid = Math.Min(grid, CAGradDual.Objective(gram, [a / (double)n, b / (double)n, (n - a - b) / (double)n], sqrtPhi));
            }
        }

        Assert.That(solved, Is.LessThanOrEqualTo(grid + 1e-12));
    }

    [Test]
    public void CAGradRescalesByOnePlusCSquaredByDefault()
    {
        double[][] g = [[1, 0.2], [-0.8, 1]];
        var plain = new CAGradCombiner(new CAGradOptions(0.5, CAGradRescale.None)).Combine(g);
        var rescaled = new CAGradCombiner(new CAGradOptions(0.5)).Combine(g);
        Assert.That(rescaled, Is.EqualTo(plain.Select(v => v / 1.25).ToArray()).Within(1e-12));
    }

    [Test]
    public void SimplexProjectionMatchesTheDefinition()
    {
        double[] v = [0.9, 0.6, -0.2];
        CAGradDual.ProjectOntoSimplex(v);
        // θ = (0.9 + 0.6 − 1)/2 = 0.25 → (0.65, 0.35, 0).
        Assert.That(v, Is.EqualTo(new[] { 0.65, 0.35, 0.0 }).Within(1e-15));
    }

    [Test]
    public void CombinersRejectGradientsOfDifferentLengths()
    {
        IGradientCombiner[] all = [new SumCombiner(), new PCGradCombiner(), new MgdaCombiner(), new CAGradCombiner()];
        foreach (var c in all)
        {
            Assert.Throws<ArgumentException>(() => c.Combine([[1.0, 2], [1.0]]), c.Name);
            Assert.Throws<ArgumentException>(() => c.Combine([]), c.Name);
        }
    }
}
