using Mtl.Tensors;
using Mtl.Training.Weighting;
using static Mtl.Tests.Training.Weighting.GradientMath;

namespace Mtl.Tests.Training.Weighting;

/// <summary>Nash-MTL and FairGrad against hand-solved bargaining equations and their defining equation on random problems.</summary>
public class AlphaFairCombinerTests
{
    [Test]
    public void NashOfOrthogonalGradientsWeighsEachByItsInverseNorm()
    {
        // G = diag(4, 1): αᵢ·Gᵢᵢαᵢ = 1 gives α = (½, 1), and d = (1, 1).
        var nash = new NashMtlCombiner(NashMtlScale.Exact);
        Assert.That(nash.Combine([[2.0, 0], [0.0, 1]]), Is.EqualTo(new[] { 1.0, 1.0 }).Within(1e-14));
        Assert.That(nash.LastWeights, Is.EqualTo(new[] { 0.5, 1.0 }).Within(1e-14));
    }

    [Test]
    public void NashOfTwoCorrelatedGradientsByHand()
    {
        // g₁ = (1, 0), g₂ = (1, 1), G = [[1, 1], [1, 2]]: α₁(α₁ + α₂) = 1 and α₂(α₁ + 2α₂) = 1, so α₁² = 2α₂²,
        // α₁ = √2·α₂ and α₂²(2 + √2) = 1.
        double a2 = 1 / Math.Sqrt(2 + Math.Sqrt(2)), a1 = Math.Sqrt(2) * a2;
        double[][] g = [[1, 0], [1, 1]];
        var exact = new NashMtlCombiner(NashMtlScale.Exact);
        Assert.That(exact.Combine(g), Is.EqualTo(new[] { a1 + a2, a2 }).Within(1e-14));
        Assert.That(exact.LastWeights, Is.EqualTo(new[] { a1, a2 }).Within(1e-14));

        // The reference solves on G/‖G‖_F, ‖G‖_F = √7: the weights grow by 7^(1/4).
        var reference = new NashMtlCombiner();
        reference.Combine(g);
        Assert.That(reference.LastWeights, Is.EqualTo(new[] { a1, a2 }.Select(a => a * Math.Pow(7, 0.25)).ToArray()).Within(1e-14));
    }

    [Test]
    public void NashSolvesItsEquationOnRandomProblems()
    {
        var random = new SeededRandom(31);
        for (int trial = 0; trial < 30; trial++)
        {
            int k = 2 + (trial % 5);
            var g = RandomRows(random, k, 8);
            var nash = new NashMtlCombiner(NashMtlScale.Exact);
            var d = nash.Combine(g);
            for (int i = 0; i < k; i++)
            {
                Assert.That(nash.LastWeights![i], Is.GreaterThan(0));
                Assert.That(nash.LastWeights[i] * Dot(g[i], d), Is.EqualTo(1).Within(1e-10), $"αᵢ·gᵢ·d = 1, trial {trial}, task {i}");
            }
        }
    }

    [TestCase(0.5)]
    [TestCase(2.0)]
    [TestCase(5.0)]
    public void FairGradSolvesItsEquationOnRandomProblems(double fairness)
    {
        var random = new SeededRandom(7);
        for (int trial = 0; trial < 20; trial++)
        {
            int k = 2 + (trial % 4);
            var g = RandomRows(random, k, 6).Select(r => r.Select(v => v * (1 + trial)).ToArray()).ToArray();
            var fair = new FairGradCombiner(fairness);
            var d = fair.Combine(g);
            for (int i = 0; i < k; i++)
            {
                double w = fair.LastWeights![i];
                Assert.That(w, Is.GreaterThan(0));
                Assert.That(Dot(g[i], d) * Math.Pow(w, 1 / fairness), Is.EqualTo(1).Within(1e-10), $"gᵢ·d = wᵢ^(−1/a), trial {trial}, task {i}");
            }
        }
    }

    [Test]
    public void FairGradWithFairnessOneIsNashOnTheRawGram()
    {
        var random = new SeededRandom(2);
        var g = RandomRows(random, 4, 5);
        Assert.That(new FairGradCombiner(1).Combine(g), Is.EqualTo(new NashMtlCombiner(NashMtlScale.Exact).Combine(g)).Within(1e-12));
    }

    [Test]
    public void OneTaskAndAbsentTasks()
    {
        double[] g = [3.0, -4.0], h = [1.0, 2.0], zero = [0.0, 0.0];
        Assert.That(new NashMtlCombiner().Combine([g, zero]), Is.EqualTo(g).Within(1e-14), "G/‖G‖_F = 1: α = 1");
        Assert.That(new NashMtlCombiner(NashMtlScale.Exact).Combine([zero, g]), Is.EqualTo(new[] { 0.6, -0.8 }).Within(1e-14), "g/‖g‖");

        // One task, fairness 2 (p = ½): ‖g‖²w = w^(−½), w = 25^(−2/3).
        var fair = new FairGradCombiner(2);
        Assert.That(fair.Combine([g]), Is.EqualTo(g.Select(v => v * Math.Pow(25, -2.0 / 3)).ToArray()).Within(1e-14));

        var nash = new NashMtlCombiner();
        Assert.That(nash.Combine([g, zero, h]), Is.EqualTo(new NashMtlCombiner().Combine([g, h])).Within(1e-15));
        Assert.That(nash.LastWeights![1], Is.Zero);
        Assert.That(new FairGradCombiner().Combine([zero, zero]), Is.EqualTo(zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FairGradCombiner(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new NashMtlCombiner(maxIterations: 0));
    }
}
