using Mtl.Tensors;
using Mtl.Training.Weighting;
using static Mtl.Tests.Training.Weighting.GradientMath;

namespace Mtl.Tests.Training.Weighting;

/// <summary>GradVac and GradDrop: hand cases, a direct reference on the vectors with the same generator, and their saved state.</summary>
public class StochasticCombinerTests
{
    private static double[] Saved(IGradientCombiner combiner, Func<IGradientCombiner> fresh, double[][] next)
    {
        var state = new MethodState();
        combiner.SaveState(state);
        var other = fresh();
        other.LoadState(state);
        return other.Combine(next);
    }

    [Test]
    public void GradVacsFirstStepOfTwoTasksIsPCGrad()
    {
        // Targets start at 0: a conflicting pair is moved to cosine 0, w = −‖gᵢ‖cos/‖gⱼ‖ = −gᵢ·gⱼ/‖gⱼ‖², PCGrad's step.
        double[][] g = [[1, 0], [-1, 1]];
        var gradVac = new GradVacCombiner(["a", "b"], beta: 0.1);
        Assert.That(gradVac.Combine(g), Is.EqualTo(new PCGradCombiner().Combine(g)).Within(1e-15));
        Assert.That(gradVac.Target(0, 1), Is.EqualTo(0.1 * -1 / Math.Sqrt(2)).Within(1e-15), "φ̂ = (1 − β)·0 + β·cos(g₁, g₂)");
        Assert.That(gradVac.Target(1, 0), Is.EqualTo(0.1 * -1 / Math.Sqrt(2)).Within(1e-15));
    }

    [Test]
    public void GradVacRaisesACosineBelowItsTargetToTheTarget()
    {
        // β = 1 and gradients at cosine ½ set φ̂ = ½; then for orthogonal unit g₁, g₂ (cos 0 < ½)
        // w = ‖g₁‖(½·1 − 0·√¾)/(‖g₂‖√¾) = 1/√3, so g₁' = (1, 1/√3) with cos(g₁', g₂) = (1/√3)/(2/√3) = ½, and likewise g₂'.
        var gradVac = new GradVacCombiner(["a", "b"], beta: 1);
        gradVac.Combine([[1.0, 0], [0.5, Math.Sqrt(0.75)]]);
        Assert.That(gradVac.Target(0, 1), Is.EqualTo(0.5).Within(1e-15));
        var d = gradVac.Combine([[1.0, 0], [0.0, 1]]);
        double w = 1 / Math.Sqrt(3);
        Assert.That(d, Is.EqualTo(new[] { 1 + w, 1 + w }).Within(1e-15));
        Assert.That(Dot([1, w], [0, 1]) / Norm([1, w]), Is.EqualTo(0.5).Within(1e-15));
    }

    [Test]
    public void GradVacFollowsTheDirectAlgorithmOverSteps()
    {
        const int seed = 8;
        const double beta = 0.3;
        var random = new SeededRandom(77);
        var steps = Enumerable.Range(0, 4).Select(_ => RandomRows(random, 3, 5)).ToArray();
        var gradVac = new GradVacCombiner(["a", "b", "c"], beta, seed);

        // Reference: Alg. 2 on the vectors, the orders drawn from a generator of the same seed.
        var orders = new SeededRandom(seed);
        var targets = new double[3, 3];
        foreach (var g in steps)
        {
            var expected = new double[5];
            for (int i = 0; i < 3; i++)
            {
                var p = (double[])g[i].Clone();
                foreach (int j in orders.Permutation(3).Where(j => j != i))
                {
                    double cos = Dot(p, g[j]) / (Norm(p) * Norm(g[j]));
                    double t = targets[i, j];
                    if (cos < t)
                    {
                        double w = Norm(p) * ((t * Math.Sqrt(1 - (cos * cos))) - (cos * Math.Sqrt(1 - (t * t)))) / (Norm(g[j]) * Math.Sqrt(1 - (t * t)));
                        p = p.Zip(g[j], (x, y) => x + (w * y)).ToArray();
                        Assert.That(Dot(p, g[j]) / (Norm(p) * Norm(g[j])), Is.EqualTo(t).Within(1e-12), "Eq. 3 reaches the target");
                    }

                    targets[i, j] = ((1 - beta) * t) + (beta * cos);
                }

                expected = expected.Zip(p, (x, y) => x + y).ToArray();
            }

            Assert.That(gradVac.Combine(g), Is.EqualTo(expected).Within(1e-12));
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    Assert.That(gradVac.Target(i, j), Is.EqualTo(targets[i, j]).Within(1e-12));
                }
            }
        }
    }

    [Test]
    public void GradVacKeepsTargetsByTaskNameWhenATaskSitsOut()
    {
        double[] a = [1, 0, 0.2], b = [-0.5, 1, 0], c = [-0.7, -0.4, 1];
        var gradVac = new GradVacCombiner(["a", "b", "c"], beta: 0.5, seed: 1);
        var d = new double[3];
        gradVac.CombineInto(["a", "c"], [a, c], d);
        Assert.That(gradVac.Target(0, 2), Is.EqualTo(0.5 * Dot(a, c) / (Norm(a) * Norm(c))).Within(1e-15));
        Assert.That(gradVac.Target(0, 1), Is.Zero, "b was not in the step");
        Assert.That(gradVac.Target(1, 2), Is.Zero);

        // A zero row is left out the same way, and its targets stay.
        var withZero = new GradVacCombiner(["a", "b", "c"], beta: 0.5, seed: 1);
        Assert.That(withZero.Combine([a, new double[3], c]), Is.EqualTo(d).Within(1e-15));
        Assert.That(withZero.Target(1, 0), Is.Zero);

        Assert.Throws<ArgumentException>(() => gradVac.Combine([a, c]), "two rows for three tasks need names");
        Assert.Throws<ArgumentException>(() => gradVac.CombineInto(["a", "x"], [a, c], d));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GradVacCombiner(["a"], beta: 0));
    }

    [Test]
    public void ATaskGradientSetTellsTheCombinerEachRowsTask()
    {
        // Task b has no labelled row: the set holds rows for a and c only, and GradVac updates their pair.
        var model = Mtl.Tests.Training.Trainer.TinyTwoTask.Model<double>();
        var x = Mtl.Autograd.Var<double>.Constant(new Tensor<double>([1.0, 0.5, -0.5, 1.5], 0, new Shape(2, 2)));
        var outputs = model.Forward(x);
        var a = outputs["a"].Square().Mean();
        var c = (outputs["b"] - 1.0).Square().Mean();
        var set = TaskGradients<double>.Compute([new("a", a), new("c", c)], [.. model.SharedParameters()]);
        var gradVac = new GradVacCombiner(["a", "b", "c"], beta: 0.5);
        set.Combine(gradVac);
        var ga = set["a"];
        var gc = set["c"];
        Assert.That(gradVac.Target(0, 2), Is.EqualTo(0.5 * Dot(ga, gc) / (Norm(ga) * Norm(gc))).Within(1e-15));
        Assert.That(gradVac.Target(0, 1), Is.Zero);
    }

    [Test]
    public void GradVacsStateContinuesBitForBit()
    {
        var random = new SeededRandom(3);
        var steps = Enumerable.Range(0, 3).Select(_ => RandomRows(random, 3, 4)).ToArray();
        var straight = new GradVacCombiner(["a", "b", "c"], beta: 0.2, seed: 4);
        straight.Combine(steps[0]);
        straight.Combine(steps[1]);
        var resumed = Saved(straight, () => new GradVacCombiner(["a", "b", "c"], beta: 0.2, seed: 99), steps[2]);
        Assert.That(resumed, Is.EqualTo(straight.Combine(steps[2])));

        var state = new MethodState();
        state.Set("targets", new double[9].Select(_ => 1.5).ToArray());
        state.Set("random", new SeededRandom(1));
        Assert.Throws<InvalidDataException>(() => new GradVacCombiner(["a", "b", "c"]).LoadState(state));
    }

    [Test]
    public void GradDropFollowsTheSignPurityWithTheSameDraws()
    {
        double[][] g = [[1, -2, 0.5, 0, 3], [-0.5, -1, 0.25, 0, -1], [0.2, 0.4, 1, 0, -4]];
        var gradDrop = new GradDropCombiner(seed: 6);
        var draws = new SeededRandom(6);
        for (int call = 0; call < 3; call++)
        {
            var d = gradDrop.Combine(g);
            for (int k = 0; k < 5; k++)
            {
                double positive = g.Sum(r => Math.Max(r[k], 0)), negative = g.Sum(r => Math.Min(r[k], 0));
                double sum = g.Sum(r => r[k]), absolute = g.Sum(r => Math.Abs(r[k]));
                double purity = absolute == 0 ? 0 : 0.5 * (1 + (sum / absolute));
                double expected = draws.NextDouble() < purity ? positive : negative;
                Assert.That(d[k], Is.EqualTo(expected).Within(1e-15), $"call {call}, coordinate {k}");
            }

            Assert.That(d[2], Is.EqualTo(1.75), "all signs agree: the sum passes");
            Assert.That(d[3], Is.Zero);
        }
    }

    [Test]
    public void GradDropKeepsThePositiveSideWithProbabilityP()
    {
        // g = (3, −1): P = ½(1 + 2/4) = ¾. Over n draws the share is within 4σ = 4√(¾·¼/n) of ¾.
        const int n = 20_000;
        var gradDrop = new GradDropCombiner(seed: 12);
        int positive = 0;
        for (int i = 0; i < n; i++)
        {
            double d = gradDrop.Combine([[3.0], [-1.0]])[0];
            Assert.That(d, Is.EqualTo(3.0).Or.EqualTo(-1.0));
            positive += d > 0 ? 1 : 0;
        }

        Assert.That(positive / (double)n, Is.EqualTo(0.75).Within(4 * Math.Sqrt(0.75 * 0.25 / n)));
    }

    [Test]
    public void GradDropsLeakLetsTheDroppedSideThrough()
    {
        double[][] g = [[3.0, -1], [-1.0, 2]];
        Assert.That(new GradDropCombiner(seed: 1, leak: 1).Combine(g), Is.EqualTo(new[] { 2.0, 1.0 }));
        var d = new GradDropCombiner(seed: 1, leak: 0.25).Combine(g);
        Assert.That(d[0], Is.EqualTo(3 - 0.25).Or.EqualTo(-1 + 0.75));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new GradDropCombiner(leak: 1.5));
    }

    [Test]
    public void GradDropsStateContinuesBitForBitAndAnAbsentTaskAddsNothing()
    {
        double[][] g = [[1, -2, 0.5], [-0.5, 1, -0.25]];
        var straight = new GradDropCombiner(seed: 2);
        straight.Combine(g);
        var resumed = Saved(straight, () => new GradDropCombiner(seed: 50), g);
        Assert.That(resumed, Is.EqualTo(straight.Combine(g)));
        Assert.That(new GradDropCombiner(seed: 4).Combine([g[0], new double[3], g[1]]), Is.EqualTo(new GradDropCombiner(seed: 4).Combine(g)));
    }
}
