using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>Static weights, the head penalty, uncertainty weighting, DWA and GradNorm against their formulas.</summary>
public class LossWeightingTests
{
    private static Var<double> Scalar(double v) => Var<double>.Parameter(Tensor.Scalar(v));

    private static KeyValuePair<string, TValue> Kv<TValue>(string k, TValue v) => new(k, v);

    [Test]
    public void StaticWeightingIsTheWeightedSum()
    {
        var a = Scalar(2.0);
        var b = Scalar(3.0);
        var w = new StaticWeighting<double>([Kv("a", 0.5), Kv("b", 2.0)]);
        var total = w.Combine([new("a", a), new("b", b)]);
        total.Backward();
        Assert.That(total.Item(), Is.EqualTo(7.0));
        Assert.That(a.Grad!.Item(), Is.EqualTo(0.5));
        Assert.That(b.Grad!.Item(), Is.EqualTo(2.0));
        Assert.Throws<ArgumentException>(() => w.Combine([new("c", a)]));
        Assert.Throws<ArgumentException>(() => w.Combine([new("a", a), new("a", b)]));
    }

    [Test]
    public void HeadPenaltyCoversHeadsOnlyWithGradientTwoLambdaTheta()
    {
        var r = new SeededRandom(1);
        var model = new MultiTaskModel<double>(new Sequential<double>(new Linear<double>(3, 4, r)))
            .AddHead("a", new Linear<double>(4, 1, r))
            .AddHead("b", new Linear<double>(4, 2, r));
        var penalty = L2Penalty<double>.ForPrefix(model, 0.1);
        var heads = model.NamedParameters().Where(p => p.Key.StartsWith("heads.", StringComparison.Ordinal)).Select(p => p.Value).ToArray();
        Assert.That(penalty.Parameters, Is.EqualTo(heads));

        var omega = penalty.Compute();
        omega.Backward();
        double expected = 0.1 * heads.Sum(p => p.Data.ToArray().Sum(v => v * v));
        Assert.That(omega.Item(), Is.EqualTo(expected).Within(1e-14));
        foreach (var p in heads)
        {
            Assert.That(p.Grad!.ToArray(), Is.EqualTo(p.Data.ToArray().Select(v => 0.2 * v).ToArray()).Within(1e-15));
        }

        Assert.That(model.Shared.Parameters().All(p => p.Grad is null));
    }

    [Test]
    public void UncertaintyWeightingSimplifiedGradients()
    {
        var u = new UncertaintyWeighting<double>([Kv("depth", TaskKind.Regression), Kv("class", TaskKind.Classification)], initialLogVariance: 0.3);
        var l1 = Scalar(2.5);
        var l2 = Scalar(0.7);
        var total = u.Combine([new("depth", l1), new("class", l2)]);
        total.Backward();
        double e = Math.Exp(-0.3);
        Assert.That(total.Item(), Is.EqualTo((e * 2.5) + 0.3 + (e * 0.7) + 0.3).Within(1e-15));
        Assert.That(u.LogVariances[0].Grad!.Item(), Is.EqualTo((-e * 2.5) + 1).Within(1e-15));
        Assert.That(u.LogVariances[1].Grad!.Item(), Is.EqualTo((-e * 0.7) + 1).Within(1e-15));
        Assert.That(l1.Grad!.Item(), Is.EqualTo(e).Within(1e-15));
        Assert.That(u.Weights, Is.EqualTo(new[] { e, e }).Within(1e-15));
        Assert.That(u.NamedParameters().Select(p => p.Key), Is.EqualTo(new[] { "log_var_depth", "log_var_class" }));
    }

    [Test]
    public void UncertaintyWeightingKendallFormHalvesByKind()
    {
        var u = new UncertaintyWeighting<double>([Kv("depth", TaskKind.Regression), Kv("class", TaskKind.Classification)], UncertaintyForm.Kendall, initialLogVariance: -0.4);
        var total = u.Combine([new("depth", Scalar(2.5)), new("class", Scalar(0.7))]);
        total.Backward();
        double e = Math.Exp(0.4);

        // Eq. 7 (regression): ½e^(−s)L + ½s; Eq. 10 (classification): e^(−s)L + ½s.
        Assert.That(total.Item(), Is.EqualTo((0.5 * e * 2.5) - 0.2 + (e * 0.7) - 0.2).Within(1e-14));
        Assert.That(u.LogVariances[0].Grad!.Item(), Is.EqualTo((-0.5 * e * 2.5) + 0.5).Within(1e-14));
        Assert.That(u.LogVariances[1].Grad!.Item(), Is.EqualTo((-e * 0.7) + 0.5).Within(1e-14));
    }

    [Test]
    public void DwaWeightsAreOneForTwoEpochsThenTheSoftmaxOfLossRates()
    {
        var dwa = new DynamicWeightAverage<double>(["a", "b", "c"], temperature: 2);
        Assert.That(dwa.Weights, Is.EqualTo(new[] { 1.0, 1.0, 1.0 }));
        dwa.EndEpoch([1.0, 2.0, 4.0]);
        Assert.That(dwa.Weights, Is.EqualTo(new[] { 1.0, 1.0, 1.0 }));
        dwa.EndEpoch([0.5, 1.8, 4.0]);

        // w = L(t−1)/L(t−2) = (0.5, 0.9, 1); λ = 3·exp(w/2)/Σexp(w/2).
        double[] w = [0.5, 0.9, 1.0];
        double z = w.Sum(v => Math.Exp(v / 2));
        Assert.That(dwa.Weights, Is.EqualTo(w.Select(v => 3 * Math.Exp(v / 2) / z).ToArray()).Within(1e-15));
        Assert.That(dwa.Weights.Sum(), Is.EqualTo(3.0).Within(1e-14));
        Assert.That(dwa.Weights[0], Is.LessThan(dwa.Weights[2]), "the task whose loss fell fastest gets the least weight");

        dwa.EndEpoch([0.4, 1.8, 2.0]);
        w = [0.4 / 0.5, 1.0, 0.5];
        z = w.Sum(v => Math.Exp(v / 2));
        Assert.That(dwa.Weights, Is.EqualTo(w.Select(v => 3 * Math.Exp(v / 2) / z).ToArray()).Within(1e-15));
    }

    [Test]
    public void DwaObservesStepLossesAsEpochMeans()
    {
        var observed = new DynamicWeightAverage<double>(["a", "b"]);
        var direct = new DynamicWeightAverage<double>(["a", "b"]);
        double[][] epochs = [[1.0, 3.0, 2.0, 2.0], [0.5, 0.7, 1.9, 2.1], [0.2, 0.4, 1.5, 1.7]];
        foreach (var e in epochs)
        {
            observed.Observe([new("a", Scalar(e[0])), new("b", Scalar(e[2]))]);
            observed.Observe([new("a", Scalar(e[1])), new("b", Scalar(e[3]))]);
            observed.EndEpoch();
            direct.EndEpoch([(e[0] + e[1]) / 2, (e[2] + e[3]) / 2]);
        }

        Assert.That(observed.Weights, Is.EqualTo(direct.Weights).Within(1e-15));
        var total = observed.Combine([new("a", Scalar(1.0)), new("b", Scalar(1.0))]);
        Assert.That(total.Item(), Is.EqualTo(observed.Weights.Sum()).Within(1e-15));
    }

    [Test]
    public void GradNormMovesWeightAwayFromTheTaskWithTheLargerGradient()
    {
        var gn = new GradNorm<double>(["big", "small"], alpha: 1.5);

        // First step: ratios 1, Ḡ = 5.5, targets 5.5: ∂/∂w = sign(G − 5.5)·G/w = (+10, −1).
        double lgrad = gn.Step([1.0, 1.0], [10.0, 1.0]);
        Assert.That(lgrad, Is.EqualTo(4.5 + 4.5).Within(1e-14));
        Assert.That(gn.WeightParameters[0].Grad!.Item(), Is.EqualTo(10.0).Within(1e-14));
        Assert.That(gn.WeightParameters[1].Grad!.Item(), Is.EqualTo(-1.0).Within(1e-14));

        // An SGD step then renormalisation to Σw = 2.
        foreach (var w in gn.WeightParameters)
        {
            w.Data.Span[0] -= 0.01 * w.Grad!.Item();
        }

        gn.Renormalize();
        Assert.That(gn.Weights[0], Is.EqualTo(2 * 0.9 / 1.91).Within(1e-14));
        Assert.That(gn.Weights[1], Is.EqualTo(2 * 1.01 / 1.91).Within(1e-14));
        Assert.That(gn.Weights[0], Is.LessThan(1.0));
        Assert.That(gn.Weights[1], Is.GreaterThan(1.0));
    }

    [Test]
    public void GradNormTargetsFavourTheSlowerTask()
    {
        var gn = new GradNorm<double>(["fast", "slow"], alpha: 1.5);
        gn.Step([1.0, 1.0], [2.0, 2.0]);
        foreach (var w in gn.WeightParameters)
        {
            w.ZeroGrad();
        }

        // L̃ = (0.5, 1), r = (2/3, 4/3); equal norms 2 = Ḡ: targets 2·r^1.5.
        double lgrad = gn.Step([0.5, 1.0], [2.0, 2.0]);
        double t0 = 2 * Math.Pow(2.0 / 3, 1.5), t1 = 2 * Math.Pow(4.0 / 3, 1.5);
        Assert.That(lgrad, Is.EqualTo(Math.Abs(2 - t0) + Math.Abs(2 - t1)).Within(1e-14));
        Assert.That(gn.WeightParameters[0].Grad!.Item(), Is.EqualTo(2.0).Within(1e-14), "fast task: weight pushed down");
        Assert.That(gn.WeightParameters[1].Grad!.Item(), Is.EqualTo(-2.0).Within(1e-14), "slow task: weight pushed up");
        Assert.That(gn.InitialLosses, Is.EqualTo(new[] { 1.0, 1.0 }));
    }

    [Test]
    public void GradNormCombineUsesTheWeightsAsConstants()
    {
        var gn = new GradNorm<double>(["a", "b"]);
        gn.WeightParameters[0].Data.Span[0] = 0.5;
        gn.WeightParameters[1].Data.Span[0] = 1.5;
        var a = Scalar(2.0);
        var total = gn.Combine([new("a", a), new("b", Scalar(4.0))]);
        total.Backward();
        Assert.That(total.Item(), Is.EqualTo(7.0));
        Assert.That(a.Grad!.Item(), Is.EqualTo(0.5));
        Assert.That(gn.WeightParameters.All(w => w.Grad is null));
    }
}
