using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>RLW, GLS and FAMO against their formulas, with gradchecks where the objective is a function of the losses.</summary>
public class LossLevelMethodTests
{
    private static Var<double> Scalar(double v, string name) => Var<double>.Parameter(Tensor.Scalar(v), name);

    private static TaskLoss<double>[] Losses(params (string Task, Var<double> Loss)[] losses) => [.. losses.Select(l => new TaskLoss<double>(l.Task, l.Loss))];

    private static double[] Softmax(params double[] z) => [.. z.Select(v => Math.Exp(v) / z.Sum(Math.Exp))];

    [Test]
    public void RlwWeighsWithTheSoftmaxOfSeededNormals()
    {
        var rlw = new RandomLossWeighting<double>(["a", "b", "c"], seed: 4);
        var draws = new SeededRandom(4);
        for (int step = 0; step < 3; step++)
        {
            var z = new[] { draws.NextNormal(), draws.NextNormal(), draws.NextNormal() };
            var expected = Softmax(z);
            var a = Scalar(2.0, "a");
            var b = Scalar(0.5, "b");
            var c = Scalar(1.5, "c");
            var total = rlw.Combine(Losses(("a", a), ("b", b), ("c", c)));
            total.Backward();
            Assert.That(rlw.Weights, Is.EqualTo(expected).Within(1e-15));
            Assert.That(new[] { a.Grad!.Item(), b.Grad!.Item(), c.Grad!.Item() }, Is.EqualTo(expected).Within(1e-15));
            Assert.That(total.Item(), Is.EqualTo((2.0 * expected[0]) + (0.5 * expected[1]) + (1.5 * expected[2])).Within(1e-15));
        }
    }

    [Test]
    public void RlwDrawsForEveryTaskAndNormalisesOverThosePresent()
    {
        var rlw = new RandomLossWeighting<double>(["a", "b", "c"], seed: 9);
        var draws = new SeededRandom(9);
        var z = new[] { draws.NextNormal(), draws.NextNormal(), draws.NextNormal() };
        var terms = rlw.Weigh(Losses(("c", Scalar(1.0, "c")), ("a", Scalar(1.0, "a"))));
        var expected = Softmax(z[0], z[2]);
        Assert.That(rlw.Weights, Is.EqualTo(new[] { expected[0], 0, expected[1] }).Within(1e-15));
        Assert.That(terms.Select(t => t.Task), Is.EqualTo(new[] { "c", "a" }));
        Assert.That(terms.Select(t => t.Loss.Item()), Is.EqualTo(new[] { expected[1], expected[0] }).Within(1e-15));

        // The next step's draws are the generator's next three, whatever the previous step held.
        var next = Softmax(draws.NextNormal(), draws.NextNormal(), draws.NextNormal());
        rlw.Weigh(Losses(("a", Scalar(1.0, "a")), ("b", Scalar(1.0, "b")), ("c", Scalar(1.0, "c"))));
        Assert.That(rlw.Weights, Is.EqualTo(next).Within(1e-15));
    }

    [Test]
    public void RlwsStateContinuesBitForBit()
    {
        var straight = new RandomLossWeighting<double>(["a", "b"], seed: 2);
        straight.Weigh(Losses(("a", Scalar(1.0, "a")), ("b", Scalar(1.0, "b"))));
        var state = new MethodState();
        straight.SaveState(state);
        var resumed = new RandomLossWeighting<double>(["a", "b"], seed: 77);
        resumed.LoadState(state);
        Assert.That(resumed.Weights, Is.EqualTo(straight.Weights));
        straight.Weigh(Losses(("a", Scalar(1.0, "a")), ("b", Scalar(1.0, "b"))));
        resumed.Weigh(Losses(("a", Scalar(1.0, "a")), ("b", Scalar(1.0, "b"))));
        Assert.That(resumed.Weights, Is.EqualTo(straight.Weights));
    }

    [Test]
    public void GlsIsTheGeometricMeanAndGradchecks()
    {
        var gls = new GeometricLossStrategy<double>(["a", "b", "c"]);
        var a = Scalar(2.0, "a");
        var b = Scalar(0.5, "b");
        var c = Scalar(4.0, "c");
        Assert.That(gls.Combine(Losses(("a", a), ("b", b), ("c", c))).Item(), Is.EqualTo(Math.Cbrt(4.0)).Within(1e-15), "(2·½·4)^(1/3)");
        var report = GradCheck.Run(() => gls.Combine(Losses(("a", a), ("b", b), ("c", c))), [a, b, c]);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void GlsTermsSumToTheGeometricMeanWithItsGradient()
    {
        // ∂/∂Lₜ (Π L)^(1/K) = L/(K·Lₜ): with L = ∛4, (∛4/6, 2∛4/3, ∛4/12).
        var gls = new GeometricLossStrategy<double>(["a", "b", "c"]);
        var a = Scalar(2.0, "a");
        var b = Scalar(0.5, "b");
        var c = Scalar(4.0, "c");
        var terms = gls.Weigh(Losses(("a", a), ("b", b), ("c", c)));
        var total = terms[0].Loss + terms[1].Loss + terms[2].Loss;
        total.Backward();
        double g = Math.Cbrt(4.0);
        Assert.That(total.Item(), Is.EqualTo(g).Within(1e-15));
        Assert.That(new[] { a.Grad!.Item(), b.Grad!.Item(), c.Grad!.Item() }, Is.EqualTo(new[] { g / 6, 2 * g / 3, g / 12 }).Within(1e-15));
        Assert.That(gls.Weights, Is.EqualTo(new[] { g / 6, 2 * g / 3, g / 12 }).Within(1e-15));

        // And the terms' sum gradchecks too: its value is the geometric mean at any point, and its gradient the mean's.
        var report = GradCheck.Run(() => gls.Weigh(Losses(("a", a), ("b", b), ("c", c))).Select(t => t.Loss).Aggregate((x, y) => x + y), [a, b, c]);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void GlsOverTheTasksPresentAndRejectsAZeroLoss()
    {
        var gls = new GeometricLossStrategy<double>(["a", "b", "c"]);
        Assert.That(gls.Combine(Losses(("a", Scalar(2.0, "a")), ("c", Scalar(8.0, "c")))).Item(), Is.EqualTo(4.0).Within(1e-14));
        var ex = Assert.Throws<InvalidOperationException>(() => gls.Weigh(Losses(("a", Scalar(0.0, "a")), ("b", Scalar(1.0, "b")))));
        Assert.That(ex!.Message, Does.Contain("task 'a' is 0"));
    }

    [Test]
    public void FamoWeighsTheLogLossesAndMovesItsLogitsTowardTheSlowerTask()
    {
        const double lr = 0.025;
        var famo = new FamoWeighting<double>(["a", "b"], learningRate: lr, decay: 0);

        // Step 1, ξ = 0: z = (½, ½), c = ½/2 + ½/0.5 = 1.25 (losses shifted by 10⁻⁸, below the tolerance), so the
        // losses' gradients are weighted z/(c·L) = (0.2, 0.8), summing to 1.
        var a = Scalar(2.0, "a");
        var b = Scalar(0.5, "b");
        var terms = famo.Weigh(Losses(("a", a), ("b", b)));
        (terms[0].Loss + terms[1].Loss).Backward();
        Assert.That(a.Grad!.Item(), Is.EqualTo(0.2).Within(1e-8));
        Assert.That(b.Grad!.Item(), Is.EqualTo(0.8).Within(1e-8));
        Assert.That(terms[0].Loss.Item(), Is.EqualTo(0.5 / 1.25 * Math.Log(2.0)).Within(1e-8));

        // Step 2, losses (1, 0.4): δ = (ln 2, ln 1.25), ∇ξ = ½(δ − mean δ) = (+¼ ln 1.6, −¼ ln 1.6); Adam's first step
        // moves each logit by −η·g/(|g| + 10⁻⁸): a (whose loss halved) loses weight, b gains.
        famo.Weigh(Losses(("a", Scalar(1.0, "a")), ("b", Scalar(0.4, "b"))));
        double g = 0.25 * Math.Log(2.0 / 1.25);
        double step = lr * g / (g + 1e-8);
        Assert.That(famo.Logits, Is.EqualTo(new[] { -step, step }).Within(1e-9));
        Assert.That(famo.Weights[1], Is.GreaterThan(0.5));
    }

    [Test]
    public void FamoUpdatesOnlyFromTasksInBothSteps()
    {
        var famo = new FamoWeighting<double>(["a", "b", "c"], decay: 0);
        famo.Weigh(Losses(("a", Scalar(2.0, "a")), ("b", Scalar(1.0, "b"))));
        Assert.That(famo.Logits, Is.EqualTo(new double[3]), "no previous step");

        // c was not in the previous step, b is not in this one: only a's δ is non-zero.
        famo.Weigh(Losses(("a", Scalar(1.0, "a")), ("c", Scalar(3.0, "c"))));
        Assert.That(famo.Logits[0], Is.LessThan(0));
        Assert.That(famo.Logits[1], Is.GreaterThan(0));
        Assert.That(famo.Logits[2], Is.EqualTo(famo.Logits[1]), "δ_b = δ_c = 0 give the same gradient");
    }

    [Test]
    public void FamosStateContinuesBitForBit()
    {
        var straight = new FamoWeighting<double>(["a", "b"]);
        var resumedLater = new FamoWeighting<double>(["a", "b"], learningRate: 0.025);
        double[][] losses = [[2.0, 1.0], [1.5, 0.9], [1.2, 0.85], [1.0, 0.7]];
        for (int i = 0; i < 2; i++)
        {
            straight.Weigh(Losses(("a", Scalar(losses[i][0], "a")), ("b", Scalar(losses[i][1], "b"))));
        }

        var state = new MethodState();
        straight.SaveState(state);
        resumedLater.LoadState(state);
        for (int i = 2; i < 4; i++)
        {
            var expected = straight.Weigh(Losses(("a", Scalar(losses[i][0], "a")), ("b", Scalar(losses[i][1], "b"))));
            var actual = resumedLater.Weigh(Losses(("a", Scalar(losses[i][0], "a")), ("b", Scalar(losses[i][1], "b"))));
            Assert.That(actual.Select(t => t.Loss.Item()), Is.EqualTo(expected.Select(t => t.Loss.Item())));
        }

        Assert.That(resumedLater.Logits, Is.EqualTo(straight.Logits));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FamoWeighting<double>(["a"], learningRate: 0));
        Assert.Throws<InvalidOperationException>(() => straight.Weigh(Losses(("a", Scalar(double.NaN, "a")))));
    }
}
