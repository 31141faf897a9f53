using Mtl.Tensors;
using Mtl.Training.Weighting;
using static Mtl.Tests.Training.Weighting.GradientMath;

namespace Mtl.Tests.Training.Weighting;

/// <summary>UPGrad and DualProj against the cone projection solved by hand and by brute force over active sets.</summary>
public class DualConeCombinerTests
{
    private static readonly double[][][] Cases =
    [
        [[1, 0, 0.5], [-1, 1, 0], [-0.5, -1, 1]],
        [[1, 0.2, -0.1], [-0.3, 1, 0.2], [0.2, -0.4, 1]],
        [[2, 1, 0.5, 0], [-1.5, 0.5, 0, 1], [0.3, -2, 0.1, 0.4]],
        [[1, 0, 0, 0], [-0.9, 0.1, 0, 0], [0, -1, 0.2, 0], [0.5, 0.5, -1, 0.1]],
    ];

    [Test]
    public void UPGradOfTwoConflictingTasksIsHalfTheirProjectionsSum()
    {
        // g₁·g₂ = −1: the cone {v : g₁·v ≥ 0, g₂·v ≥ 0} is bounded by the normal planes, so π(g₁) = g₁ + ½g₂ = (½, ½)
        // (g₂·π(g₁) = 0, g₁·π(g₁) = ½ ≥ 0) and π(g₂) = g₂ + g₁ = (0, 1); d = ½(π(g₁) + π(g₂)) = (¼, ¾).
        var upgrad = new UPGradCombiner();
        Assert.That(upgrad.Combine([[1.0, 0], [-1.0, 1]]), Is.EqualTo(new[] { 0.25, 0.75 }).Within(1e-15));
        Assert.That(upgrad.LastWeights, Is.EqualTo(new[] { 1.0, 0.75 }).Within(1e-15), "½((1, ½) + (1, 1))");
    }

    [Test]
    public void DualProjOfAConflictingMeanProjectsItOntoTheViolatedPlane()
    {
        // g₀ = ½(g₁ + g₂) = (−½, ¼) has g₁·g₀ = −½ < 0; on g₁'s normal plane it is (0, ¼), where g₂·v = ⅛ ≥ 0.
        var dualProj = new DualProjCombiner();
        Assert.That(dualProj.Combine([[1.0, 0], [-2.0, 0.5]]), Is.EqualTo(new[] { 0.0, 0.25 }).Within(1e-15));
        Assert.That(dualProj.LastWeights, Is.EqualTo(new[] { 1.0, 0.5 }).Within(1e-15));
    }

    [Test]
    public void WithoutConflictBothAreTheMeanGradient()
    {
        double[][] g = [[1, 0.5, 0], [0.2, 1, -0.3], [0.5, 0.1, 0.2]];
        Assert.That(Enumerable.Range(0, 3).SelectMany(i => g.Select(h => Dot(g[i], h))), Has.All.GreaterThanOrEqualTo(0));
        Assert.That(new UPGradCombiner().Combine(g), Is.EqualTo(Mean(g)).Within(1e-15));
        Assert.That(new DualProjCombiner().Combine(g), Is.EqualTo(Mean(g)).Within(1e-15));
    }

    [TestCaseSource(nameof(Cases))]
    public void UPGradAveragesTheBruteForceProjections(double[][] g)
    {
        var expected = Mean([.. g.Select(row => ProjectOntoDualCone(g, row))]);
        var d = new UPGradCombiner().Combine(g);
        Assert.That(d, Is.EqualTo(expected).Within(1e-12));
        Assert.That(g.Select(row => Dot(row, d)), Has.All.GreaterThanOrEqualTo(-1e-14), "d conflicts with no task");
    }

    [TestCaseSource(nameof(Cases))]
    public void DualProjIsTheBruteForceProjectionOfTheMean(double[][] g)
    {
        var d = new DualProjCombiner().Combine(g);
        Assert.That(d, Is.EqualTo(ProjectOntoDualCone(g, Mean(g))).Within(1e-12));
        Assert.That(g.Select(row => Dot(row, d)), Has.All.GreaterThanOrEqualTo(-1e-14));
    }

    [Test]
    public void RandomProblemsMatchTheBruteForceAndSatisfyKkt()
    {
        var random = new SeededRandom(17);
        for (int trial = 0; trial < 40; trial++)
        {
            int k = 2 + (trial % 4);
            var g = RandomRows(random, k, 6);
            var upgrad = new UPGradCombiner();
            var d = upgrad.Combine(g);
            Assert.That(d, Is.EqualTo(Mean([.. g.Select(row => ProjectOntoDualCone(g, row))])).Within(1e-11), $"UPGrad, trial {trial}");

            // KKT of DualProj's dual, argmin_{α ≥ 1/K} αᵀGα: α ≥ 1/K, gⱼ·d ≥ 0, and gⱼ·d = 0 wherever αⱼ > 1/K.
            var dualProj = new DualProjCombiner();
            var p = dualProj.Combine(g);
            Assert.That(p, Is.EqualTo(ProjectOntoDualCone(g, Mean(g))).Within(1e-11), $"DualProj, trial {trial}");
            for (int j = 0; j < k; j++)
            {
                double alpha = dualProj.LastWeights![j];
                Assert.That(alpha, Is.GreaterThanOrEqualTo((1.0 / k) - 1e-15));
                Assert.That(Dot(g[j], p), Is.GreaterThanOrEqualTo(-1e-12));
                if (alpha > (1.0 / k) + 1e-9)
                {
                    Assert.That(Dot(g[j], p), Is.EqualTo(0).Within(1e-11), $"complementary slackness, trial {trial}, task {j}");
                }
            }
        }
    }

    [Test]
    public void ADuplicatedTaskChangesNoConstraintAndStillConverges()
    {
        // A singular Gram matrix: where the exact free-set solve meets it, coordinate descent carries the answer.
        double[] g1 = [1, 0.3, -0.2], g2 = [-0.8, 1, 0.1];
        double[][] g = [g1, g2, g1];
        var expected = Mean([.. g.Select(row => ProjectOntoDualCone([g1, g2], row))]);
        Assert.That(new UPGradCombiner().Combine(g), Is.EqualTo(expected).Within(1e-10));
        Assert.That(new DualProjCombiner().Combine(g), Is.EqualTo(ProjectOntoDualCone([g1, g2], Mean(g))).Within(1e-10));
    }

    [Test]
    public void AnAbsentTaskIsLeftOut()
    {
        double[] g = [0.6, -1.2, 0.3], h = [-0.5, 0.4, 0.1], zero = new double[3];
        var upgrad = new UPGradCombiner();
        Assert.That(upgrad.Combine([g, zero, h]), Is.EqualTo(new UPGradCombiner().Combine([g, h])).Within(1e-15));
        Assert.That(upgrad.LastWeights![1], Is.Zero);
        Assert.That(new DualProjCombiner().Combine([zero, g, h]), Is.EqualTo(new DualProjCombiner().Combine([g, h])).Within(1e-15));
        Assert.That(new UPGradCombiner().Combine([g, zero]), Is.EqualTo(g).Within(1e-15), "one task present: its own gradient");
        Assert.That(new DualProjCombiner().Combine([zero, zero]), Is.EqualTo(zero));
    }

    [Test]
    public void CombineIntoOverwritesTheDestination()
    {
        double[][] g = Cases[2];
        var d = Enumerable.Repeat(double.NaN, 4).ToArray();
        new UPGradCombiner().CombineInto(g, d);
        Assert.That(d, Is.EqualTo(new UPGradCombiner().Combine(g)));
    }

    [Test]
    public void OptionsAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new UPGradCombiner(new DualConeOptions(MaxSweeps: 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new DualProjCombiner(new DualConeOptions(Tolerance: double.NaN)));
        Assert.Throws<ArgumentException>(() => new UPGradCombiner().Combine([[1.0, 2], [1.0]]));
        Assert.Throws<ArgumentException>(() => new DualProjCombiner().Combine([]));
    }
}
