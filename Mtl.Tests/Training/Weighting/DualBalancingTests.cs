using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;
using static Mtl.Tests.Training.Weighting.GradientMath;

namespace Mtl.Tests.Training.Weighting;

/// <summary>DB-MTL's two halves: the log-loss terms (gradchecked) and the moving averages scaled to the largest norm.</summary>
public class DualBalancingTests
{
    private static Var<double> Scalar(double v, string name) => Var<double>.Parameter(Tensor.Scalar(v), name);

    [Test]
    public void LogLossTermsAreTheLogarithmsAndGradcheck()
    {
        var log = new LogLossWeighting<double>(["a", "b"]);
        var a = Scalar(2.0, "a");
        var b = Scalar(0.25, "b");
        TaskLoss<double>[] Losses() => [new("a", a), new("b", b)];
        var total = log.Combine(Losses());
        total.Backward();
        Assert.That(total.Item(), Is.EqualTo(Math.Log(2.0 + 1e-8) + Math.Log(0.25 + 1e-8)).Within(1e-15));
        Assert.That(a.Grad!.Item(), Is.EqualTo(1 / (2.0 + 1e-8)).Within(1e-15));
        Assert.That(log.Weights, Is.EqualTo(new[] { 1 / (2.0 + 1e-8), 1 / (0.25 + 1e-8) }).Within(1e-15));
        var report = GradCheck.Run(() => log.Combine(Losses()), [a, b]);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.Throws<InvalidOperationException>(() => log.Weigh([new("a", Scalar(-1.0, "a"))]));
    }

    [Test]
    public void TheFirstStepScalesEveryAverageToTheLargestByHand()
    {
        // β₁ = 0.9/1^σ: ĝ = 0.1·g, so ĝ₁ = (0.3, 0), ĝ₂ = (0, 0.1); scales (1, 3); d = (0.3, 0.3).
        var db = new DbMtlCombiner(["a", "b"]);
        Assert.That(db.Combine([[3.0, 0], [0.0, 1]]), Is.EqualTo(new[] { 0.3, 0.3 }).Within(1e-15));
        Assert.That(db.Average(0), Is.EqualTo(new[] { 0.3, 0.0 }).Within(1e-15));

        // Step 2, g₁ = (0, 3), g₂ = (1, 0), β₂ = 0.9/√2: ĝ₁ = β₂(0.3, 0) + (1 − β₂)(0, 3), ĝ₂ = β₂(0, 0.1) + (1 − β₂)(1, 0).
        double b2 = 0.9 / Math.Sqrt(2);
        double[] a1 = [0.3 * b2, 3 * (1 - b2)], a2 = [1 - b2, 0.1 * b2];
        double largest = Math.Max(Norm(a1), Norm(a2));
        var expected = a1.Zip(a2, (x, y) => (largest / Norm(a1) * x) + (largest / Norm(a2) * y)).ToArray();
        Assert.That(db.Combine([[0.0, 3], [1.0, 0]]), Is.EqualTo(expected).Within(1e-15));
    }

    [Test]
    public void TheAveragesFollowTheirRecurrenceOverSteps()
    {
        const double beta = 0.7, sigma = 0.3;
        var random = new SeededRandom(12);
        var db = new DbMtlCombiner(["a", "b", "c"], beta, sigma);
        var averages = new double[3][].Select(_ => new double[5]).ToArray();
        for (int n = 1; n <= 5; n++)
        {
            var g = RandomRows(random, 3, 5);
            double rate = beta / Math.Pow(n, sigma);
            for (int t = 0; t < 3; t++)
            {
                averages[t] = averages[t].Zip(g[t], (m, x) => x + (rate * (m - x))).ToArray();
            }

            double largest = averages.Max(Norm);
            var expected = Combination(averages, [.. averages.Select(m => largest / Norm(m))]);
            var d = db.Combine(g);
            Assert.That(d, Is.EqualTo(expected).Within(1e-14), $"step {n}");
            Assert.That(averages.Select(m => Norm(Combination([m], [largest / Norm(m)]))), Has.All.EqualTo(largest).Within(1e-14), "every scaled average has the largest norm");
        }
    }

    [Test]
    public void AnAbsentTaskKeepsItsAverageAndCount()
    {
        var db = new DbMtlCombiner(["a", "b", "c"]);
        double[] a = [1, 0, 2], b = [0, 1, -1], c = [2, 2, 0];
        db.Combine([a, b, c]);
        var kept = db.Average(1).ToArray();
        var d = new double[3];
        db.CombineInto(["c", "a"], [c, a], d);
        Assert.That(db.Average(1), Is.EqualTo(kept), "b sat the step out");

        // The next step of b is its second: β₂ = 0.9/√2.
        var zero = new double[3];
        db.Combine([zero, b, zero]);
        double b2 = 0.9 / Math.Sqrt(2);
        Assert.That(db.Average(1), Is.EqualTo(kept.Zip(b, (m, x) => x + (b2 * (m - x))).ToArray()).Within(1e-15));
        Assert.Throws<ArgumentException>(() => db.Combine([a, b]), "two rows for three tasks need names");
        Assert.Throws<ArgumentException>(() => db.Combine([[1.0], [1.0], [1.0]]), "a new row length");
    }

    [Test]
    public void TheStateContinuesBitForBit()
    {
        var random = new SeededRandom(4);
        var steps = Enumerable.Range(0, 3).Select(_ => RandomRows(random, 2, 4)).ToArray();
        var straight = new DbMtlCombiner(["a", "b"]);
        straight.Combine(steps[0]);
        straight.Combine(steps[1]);
        var state = new MethodState();
        straight.SaveState(state);
        var resumed = new DbMtlCombiner(["a", "b"]);
        resumed.LoadState(state);
        Assert.That(resumed.Combine(steps[2]), Is.EqualTo(straight.Combine(steps[2])));

        var bad = new MethodState();
        bad.Set("steps", [1.0, 0.0]);
        bad.Set("average_0", [1.0, 2.0]);
        bad.Set("average_1", [1.0, 2.0]);
        Assert.Throws<InvalidDataException>(() => new DbMtlCombiner(["a", "b"]).LoadState(bad), "a count of 0 with an average");
    }

    [Test]
    public void TheMethodPairsTheTwoHalves()
    {
        var method = DbMtlCombiner.Method<double>(["a", "b"]);
        Assert.That(method.Name, Is.EqualTo("log+db-mtl"));
        Assert.That(method.Weighting, Is.InstanceOf<LogLossWeighting<double>>());
        Assert.That(method.Combiner, Is.InstanceOf<DbMtlCombiner>());
        Assert.That(method.NeedsTaskGradients);
    }
}
