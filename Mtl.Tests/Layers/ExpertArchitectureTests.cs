using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Tests.Training.Trainer;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Layers;

/// <summary>CGC and PLE (Tang et al. 2020) and the DSelect-k gate (Hazimeh et al. 2021).</summary>
public class ExpertArchitectureTests
{
    private static KeyValuePair<string, Layer<double>>[] Heads(SeededRandom random, int width) =>
        [new("a", new Linear<double>(width, 1, random)), new("b", new Linear<double>(width, 2, random))];

    /// <summary>By hand for CGC: task a's output is softmax(W_a·x + c_a) over [a's expert, the shared expert]
    /// applied to those experts' outputs, computed here from the experts and gate run on their own.</summary>
    [Test]
    public void CgcMixesEachTasksExpertsWithTheSharedOnesByItsGate()
    {
        var random = new SeededRandom(4);
        var model = ProgressiveLayeredExtractionModel<double>.Cgc(3, 4, taskExperts: 1, sharedExperts: 1, Heads(random, 4), random);
        var x = LayerTestKit.Input(5, 6, 3);
        var level = model.Levels[0];
        var experts = (ModuleDict<double>)level.Children.Single(c => c.Key == "experts").Value;
        var gates = (ModuleDict<double>)level.Children.Single(c => c.Key == "gates").Value;
        var own = ((Layer<double>)((ModuleDict<double>)experts["a"])["0"]).Forward(x).Data.ToArray();
        var shared = ((Layer<double>)((ModuleDict<double>)experts["shared"])["0"]).Forward(x).Data.ToArray();
        var logits = ((Linear<double>)gates["a"]).Forward(x).Data.ToArray();
        var head = (Linear<double>)((ModuleDict<double>)model.Children.Single(c => c.Key == "heads").Value)["a"];

        var mixed = new Tensor<double>(6, 4);
        for (int n = 0; n < 6; n++)
        {
            double e0 = Math.Exp(logits[(n * 2) + 0]), e1 = Math.Exp(logits[(n * 2) + 1]);
            for (int d = 0; d < 4; d++)
            {
                mixed[n, d] = ((e0 * own[(n * 4) + d]) + (e1 * shared[(n * 4) + d])) / (e0 + e1);
            }
        }

        var expected = head.Forward(Var<double>.Constant(mixed)).Data.ToArray();
        LayerTestKit.AssertClose(model.Forward(x)["a"].Data.ReadOnlySpan, expected, 1e-14, "CGC output of task a");
        Assert.That(model.Forward(x, "b").Data.ToArray(), Is.EqualTo(model.Forward(x)["b"].Data.ToArray()));
    }

    [Test]
    public void PleGradcheckOverEveryParameter()
    {
        var random = new SeededRandom(7);
        var model = new ProgressiveLayeredExtractionModel<double>(3, [4, 3], taskExperts: 2, sharedExperts: 1, Heads(random, 3), random,
            expert: (i, o, r) => new Sequential<double>(new Linear<double>(i, o, r), new Tanh<double>()));
        var x = LayerTestKit.Input(8, 5, 3);
        LayerTestKit.AssertGradCheck(() => LayerTestKit.Joined(model.Forward(x)), model, x);
    }

    [Test]
    public void PleSharesEverythingBelowTheTopAndTheTopsSharedExperts()
    {
        var random = new SeededRandom(9);
        var model = new ProgressiveLayeredExtractionModel<double>(3, [4, 3], taskExperts: 1, sharedExperts: 2, Heads(random, 3), random);
        var names = model.NamedParameters().ToDictionary(p => p.Value, p => p.Key);
        var shared = model.SharedParameters().Select(p => names[p]).ToHashSet();

        Assert.That(shared, Does.Contain("levels.0.experts.a.0.0.weight"), "a bottom task expert feeds the shared gate, so every task");
        Assert.That(shared, Does.Contain("levels.0.gates.shared.weight"));
        Assert.That(shared, Does.Contain("levels.1.experts.shared.1.0.weight"));
        Assert.That(shared, Does.Not.Contain("levels.1.experts.a.0.0.weight"));
        Assert.That(shared, Does.Not.Contain("levels.1.gates.b.weight"));
        Assert.That(shared.Any(n => n.StartsWith("heads.", StringComparison.Ordinal)), Is.False);
        Assert.That(names.Values, Does.Not.Contain("levels.1.gates.shared.weight"), "the top level has no shared gate");
    }

    /// <summary>S(0) = ½ and S(γ/4) = −2/64 + 3/8 + ½ = 0.84375; with every bit logit far past ±γ/2 a selector is
    /// one expert exactly, so the gate is the softmax of the selector logits placed on the selected experts.</summary>
    [Test]
    public void DSelectKPicksExactExpertsOnceItsBitsSaturate()
    {
        var random = new SeededRandom(3);
        var gate = new DSelectKGate<double>(2, experts: 4, k: 2, random, gamma: 1.0);
        var bits = gate.Children.Where(c => c.Key.StartsWith("bit", StringComparison.Ordinal)).Select(c => (Linear<double>)c.Value).ToArray();
        var selectors = (Linear<double>)gate.Children.Single(c => c.Key == "selectors").Value;
        Assert.That(bits, Has.Length.EqualTo(2));

        // Bit logits from the biases only: selector 0 → code 0b10 = expert 2, selector 1 → 0b01 = expert 1.
        foreach (var b in bits)
        {
            b.Weight.Data.Clear();
        }

        bits[0].Bias!.Data[0] = -5;
        bits[1].Bias!.Data[0] = 5;
        bits[0].Bias!.Data[1] = 5;
        bits[1].Bias!.Data[1] = -5;
        var x = Var<double>.Constant(Tensor.FromArray<double>([0.3, -0.7, 1.1, 0.4], 2, 2));
        var g = gate.Forward(x).Data;
        var w = selectors.Forward(x).Softmax().Data;
        for (int n = 0; n < 2; n++)
        {
            Assert.That(new[] { g[n, 0], g[n, 1], g[n, 2], g[n, 3] }, Is.EqualTo(new[] { 0, w[n, 1], w[n, 0], 0 }).Within(1e-15));
        }

        // In the ramp: bit logits exactly 0 and γ/4.
        bits[0].Bias!.Data.Fill(0);
        bits[1].Bias!.Data.Fill(0.25);
        var ramp = gate.Forward(x).Data;
        double s0 = 0.5, s1 = 0.84375;
        double[] r = [(1 - s0) * (1 - s1), s0 * (1 - s1), (1 - s0) * s1, s0 * s1];
        for (int i = 0; i < 4; i++)
        {
            Assert.That(ramp[0, i], Is.EqualTo(r[i]).Within(1e-15), $"expert {i}: both selectors agree, so their mix is the selector");
        }
    }

    [Test]
    public void DSelectKGradcheckAndNonPowerOfTwoExperts()
    {
        var random = new SeededRandom(5);
        var gate = new DSelectKGate<double>(3, experts: 3, k: 2, random, gamma: 4.0);
        var x = LayerTestKit.Input(6, 4, 3);
        var g = gate.Forward(x).Data;
        for (int n = 0; n < 4; n++)
        {
            Assert.That(g[n, 0] + g[n, 1] + g[n, 2], Is.EqualTo(1).Within(1e-14), "renormalised without the unused code 3");
        }

        LayerTestKit.AssertGradCheck(() => gate.Forward(x), gate, x);
        Assert.That(() => new DSelectKGate<double>(3, experts: 1, k: 1, random), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void MixtureOfExpertsTrainsWithDSelectKGatesAndPleTrainsWithPCGrad()
    {
        var random = new SeededRandom(11);
        var moe = new MixtureOfExpertsModel<double>(2, [new Linear<double>(2, 2, random), new Linear<double>(2, 2, random), new Linear<double>(2, 2, random), new Linear<double>(2, 2, random)], random)
            .AddTask("a", new Linear<double>(2, 1, random), new DSelectKGate<double>(2, 4, k: 2, random))
            .AddTask("b", new Linear<double>(2, 1, random), new DSelectKGate<double>(2, 4, k: 2, random));
        Assert.That(() => moe.AddTask("c", new Linear<double>(2, 1, random), new DSelectKGate<double>(2, 8, k: 2, random)), Throws.ArgumentException.With.Message.Contains("8 experts"));
        var ple = new ProgressiveLayeredExtractionModel<double>(2, [4, 4], 1, 1, [new("a", new Linear<double>(4, 1, random)), new("b", new Linear<double>(4, 1, random))], random);

        foreach (var (model, combiner) in new (Module<double>, IGradientCombiner?)[] { (moe, null), (ple, new PCGradCombiner(seed: 2)) })
        {
            var trainer = new Trainer<double>((IMultiTaskModel<double>)model, TinyTwoTask.Tasks<double>(), new Adam<double>(model.NamedParameters(), new AdamOptions { LearningRate = 0.02 }), new TrainerOptions<double>
            {
                Epochs = 60,
                BatchSize = 4,
                GradientCombiner = combiner,
            });
            var history = trainer.Fit(TinyTwoTask.Data<double>());
            Assert.That(history.Epochs[^1].TrainLoss.Values.Sum(), Is.LessThan(history.Epochs[0].TrainLoss.Values.Sum() / 3), model.GetType().Name);
        }
    }
}
