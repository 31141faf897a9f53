using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>Shapes, parameter names, gradients and real sharing of the multi-task blocks.</summary>
public class MultiTaskBlockTests
{
    private static Linear<double> Dense(int i, int o, int seed) => new(i, o, new SeededRandom(seed));

    private static MultiTaskModel<double> HardSharing()
    {
        var model = new MultiTaskModel<double>(new Sequential<double>(Dense(4, 5, 1), new Tanh<double>(), Dense(5, 3, 2)));
        model.AddHead("heating", new Sequential<double>(new Dropout<double>(0.5, new SeededRandom(3)), Dense(3, 1, 4)));
        model.AddHead("cooling", new Sequential<double>(Dense(3, 2, 5)));
        model.AddHead("early", new Sequential<double>(Dense(5, 2, 6)), depth: 2);
        return model;
    }

    [Test]
    public void HardSharingNamesShapesAndCounts()
    {
        var model = HardSharing();
        Assert.That(model.NamedParameters().Select(p => p.Key), Is.EqualTo(new[]
        {
            "shared.0.weight", "shared.0.bias", "shared.2.weight", "shared.2.bias",
            "heads.heating.1.weight", "heads.heating.1.bias", "heads.cooling.0.weight", "heads.cooling.0.bias",
            "heads.early.0.weight", "heads.early.0.bias",
        }));
        Assert.That(model.ParameterCount, Is.EqualTo(25 + 18 + 4 + 8 + 12));
        Assert.That(model.NamedParameters().All(p => p.Value.Name == p.Key), Is.True);

        model.Eval();
        var outputs = model.Forward(LayerTestKit.Input(7, 6, 4));
        Assert.That(outputs.Keys, Is.EqualTo(new[] { "heating", "cooling", "early" }));
        Assert.That(outputs["heating"].Shape, Is.EqualTo(new Shape(6, 1)));
        Assert.That(outputs["cooling"].Shape, Is.EqualTo(new Shape(6, 2)));
        Assert.That(outputs["early"].Shape, Is.EqualTo(new Shape(6, 2)));
    }

    [Test]
    public void HardSharingGradCheck()
    {
        var model = HardSharing();
        model.Eval();
        var x = LayerTestKit.Input(8, 3, 4);
        LayerTestKit.AssertGradCheck(() => LayerTestKit.Joined(model.Forward(x)), model, x);
    }

    [Test]
    public void TheTrunksGradientIsTheSumOfThePerTaskGradients()
    {
        var model = HardSharing();
        model.Eval();
        var outputs = model.Forward(LayerTestKit.Input(9, 6, 4));
        var losses = outputs.Values.Select((o, i) => (o * (i + 1.0)).Square().Mean()).ToList();
        var total = losses[0] + losses[1] + losses[2];
        var trunk = model.Shared.Parameters().ToList();

        total.Backward(retainGraph: true);
        var summed = trunk.Select(p => p.Grad!.ToArray()).ToList();
        var perTask = trunk.Select(p => new double[p.Shape.Length]).ToList();
        foreach (var (loss, task) in losses.Zip(outputs.Keys))
        {
            model.ZeroGrad();
            loss.Backward(retainGraph: true);
            for (int k = 0; k < trunk.Count; k++)
            {
                var g = trunk[k].Grad!.ToArray();

                // The early head branches off after shared.1, so shared.2 gets nothing from it.
                bool reaches = task != "early" || k < 2;
                Assert.That(g, reaches ? Has.Some.Not.EqualTo(0.0) : Is.All.EqualTo(0.0), $"{task} → {trunk[k].Name}");
                for (int j = 0; j < g.Length; j++)
                {
                    perTask[k][j] += g[j];
                }
            }
        }

        Tape.Current.Release();
        for (int k = 0; k < trunk.Count; k++)
        {
            LayerTestKit.AssertClose(summed[k], perTask[k], 1e-12, trunk[k].Name!);
        }
    }

    [Test]
    public void ALayerSharedBetweenHeadsIsOneObjectListedOnce()
    {
        var common = Dense(3, 3, 10);
        var model = new MultiTaskModel<double>(new Sequential<double>(Dense(4, 3, 11)));
        model.AddHead("a", new Sequential<double>(common, Dense(3, 1, 12)));
        model.AddHead("b", new Sequential<double>(common, Dense(3, 2, 13)));

        Assert.That(((Sequential<double>)model.Heads["a"])[0], Is.SameAs(((Sequential<double>)model.Heads["b"])[0]));
        var names = model.NamedParameters().Select(p => p.Key).ToList();
        Assert.That(names.Count(n => n.EndsWith(".0.weight", StringComparison.Ordinal) && n.StartsWith("heads", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(model.Parameters().Count(p => ReferenceEquals(p, common.Weight)), Is.EqualTo(1));
        Assert.That(model.ParameterCount, Is.EqualTo(15 + 12 + 4 + 8));
        Assert.That(common.Path, Is.EqualTo("heads.a.0"), "a shared layer keeps the path of the parent that registered it first");
        Assert.That(model.NamedParameters().All(p => p.Value.Name == p.Key), Is.True);

        var outputs = model.Forward(LayerTestKit.Input(14, 2, 4));
        (outputs["a"].Sum() + outputs["b"].Sum()).Backward();
        Assert.That(common.Weight.Grad!.ToArray(), Has.Some.Not.EqualTo(0.0));
    }

    private static MultiInputModel<double> MultiInput()
    {
        var model = new MultiInputModel<double>(new Sequential<double>(Dense(3, 4, 20), new Tanh<double>()));
        model.AddTask("words", new Embedding<double>(6, 3, new SeededRandom(21)), Dense(4, 2, 22));
        model.AddTask("sensor", new Sequential<double>(Dense(5, 3, 23), new LayerNorm<double>(3)), Dense(4, 1, 24));
        return model;
    }

    [Test]
    public void MultiInputNamesShapesAndSingleTaskRuns()
    {
        var model = MultiInput();
        Assert.That(model.NamedParameters().Select(p => p.Key), Is.EqualTo(new[]
        {
            "encoders.words.weight", "encoders.sensor.0.weight", "encoders.sensor.0.bias", "encoders.sensor.1.weight", "encoders.sensor.1.bias",
            "shared.0.weight", "shared.0.bias", "heads.words.weight", "heads.words.bias", "heads.sensor.weight", "heads.sensor.bias",
        }));

        var words = Var<double>.Constant(Tensor.FromArray<double>([0, 5, 2], 3));
        var sensor = LayerTestKit.Input(25, 2, 5);
        var outputs = model.Forward(new Dictionary<string, Var<double>> { ["sensor"] = sensor, ["words"] = words });
        Assert.That(outputs.Keys, Is.EqualTo(new[] { "words", "sensor" }));
        Assert.That(outputs["words"].Shape, Is.EqualTo(new Shape(3, 2)));
        Assert.That(outputs["sensor"].Shape, Is.EqualTo(new Shape(2, 1)));

        var alone = model.Forward("sensor", sensor);
        Assert.That(alone.Data.ToArray(), Is.EqualTo(outputs["sensor"].Data.ToArray()));
        Assert.That(model.Forward(new Dictionary<string, Var<double>> { ["words"] = words }).Keys, Is.EqualTo(new[] { "words" }));
        Assert.Throws<KeyNotFoundException>(() => model.Forward(new Dictionary<string, Var<double>> { ["audio"] = sensor }));
    }

    [Test]
    public void MultiInputGradCheck()
    {
        var model = MultiInput();
        var words = Var<double>.Constant(Tensor.FromArray<double>([0, 5, 2, 5], 4));
        var sensor = LayerTestKit.Input(26, 2, 5);
        var inputs = new Dictionary<string, Var<double>> { ["words"] = words, ["sensor"] = sensor };
        LayerTestKit.AssertGradCheck(() => LayerTestKit.Joined(model.Forward(inputs)), model, sensor);
    }

    private static SoftSharingModel<double> SoftSharing(double lambda = 0.3)
    {
        var model = new SoftSharingModel<double>(lambda);
        model.AddTower("a", new Sequential<double>(Dense(3, 4, 30), new Tanh<double>(), Dense(4, 2, 31)));
        model.AddTower("b", new Sequential<double>(Dense(3, 4, 32), new Tanh<double>(), Dense(4, 2, 33)));
        model.AddTower("c", new Sequential<double>(Dense(3, 4, 34), new Tanh<double>(), Dense(4, 2, 35)));
        return model;
    }

    [Test]
    public void SoftSharingNamesShapesAndPenalty()
    {
        var model = SoftSharing();
        Assert.That(model.NamedParameters().Select(p => p.Key).Take(4), Is.EqualTo(new[] { "towers.a.0.weight", "towers.a.0.bias", "towers.a.2.weight", "towers.a.2.bias" }));
        Assert.That(model.ParameterCount, Is.EqualTo(3 * (16 + 10)));
        var outputs = model.Forward(LayerTestKit.Input(36, 5, 3));
        Assert.That(outputs.Values.Select(v => v.Shape), Is.All.EqualTo(new Shape(5, 2)));

        // λ·Σ_{a<b} Σ_k ‖W_a,k − W_b,k‖², computed directly.
        var ps = model.Tasks.Select(t => model.Towers[t].Parameters().Select(p => p.Data.ToArray()).ToList()).ToList();
        double expected = 0;
        for (int a = 0; a < 3; a++)
        {
            for (int b = a + 1; b < 3; b++)
            {
                for (int k = 0; k < ps[a].Count; k++)
                {
                    expected += ps[a][k].Zip(ps[b][k]).Sum(p => (p.First - p.Second) * (p.First - p.Second));
                }
            }
        }

        Assert.That(model.Penalty().Item(), Is.EqualTo(0.3 * expected).Within(1e-12));
        Assert.That(new SoftSharingModel<double>(1).Penalty().Item(), Is.Zero);
    }

    [Test]
    public void SoftSharingPenaltyPullsTowersTogether()
    {
        // dP/dW_a = 2λ·Σ_{b≠a} (W_a − W_b).
        var model = SoftSharing(0.5);
        model.Penalty().Backward();
        var w = model.Tasks.Select(t => ((Sequential<double>)model.Towers[t])[0].OwnParameters[0].Value).ToList();
        for (int j = 0; j < 12; j++)
        {
            double expected = 2 * 0.5 * ((w[0].Data[j] - w[1].Data[j]) + (w[0].Data[j] - w[2].Data[j]));
            Assert.That(w[0].Grad![j], Is.EqualTo(expected).Within(1e-12));
        }
    }

    [Test]
    public void SoftSharingGradCheckOfOutputsPlusPenalty()
    {
        var model = SoftSharing();
        var x = LayerTestKit.Input(37, 2, 3);
        LayerTestKit.AssertGradCheck(() => LayerTestKit.Joined(model.Forward(x)).Sum() + model.Penalty(), model, x);
    }

    [Test]
    public void SoftSharingRejectsTowersOfDifferentArchitectures()
    {
        var model = new SoftSharingModel<double>(0.1);
        model.AddTower("a", new Sequential<double>(Dense(3, 4, 1)));
        var ex = Assert.Throws<ArgumentException>(() => model.AddTower("b", new Sequential<double>(Dense(3, 5, 2))));
        Assert.That(ex!.Message, Does.Contain("'b'").And.Contain("identical"));
    }

    private static CrossStitchModel<double> CrossStitch() => new(
        [
            new("a", new Sequential<double>(Dense(3, 4, 40), new Tanh<double>(), Dense(4, 2, 41))),
            new("b", new Sequential<double>(Dense(3, 4, 42), new Tanh<double>(), Dense(4, 2, 43))),
            new("c", new Sequential<double>(Dense(3, 4, 44), new Tanh<double>(), Dense(4, 2, 45))),
        ],
        [2, 3]);

    [Test]
    public void CrossStitchNamesShapesAndInitialisation()
    {
        var model = CrossStitch();
        var names = model.NamedParameters().Select(p => p.Key).ToList();
        Assert.That(names, Does.Contain("towers.a.0.weight").And.Contain("towers.c.2.bias"));
        Assert.That(names.Skip(12), Is.EqualTo(new[] { "stitch.0.alpha", "stitch.1.alpha" }));
        var alpha = ((CrossStitchUnit<double>)model.Stitches["0"]).Alpha.Data;
        Assert.That(alpha.Shape, Is.EqualTo(new Shape(3, 3)));
        Assert.That(alpha.ToArray(), Is.EqualTo(new[] { 0.9, 0.05, 0.05, 0.05, 0.9, 0.05, 0.05, 0.05, 0.9 }).Within(1e-15));

        var outputs = model.Forward(LayerTestKit.Input(46, 5, 3));
        Assert.That(outputs.Keys, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(outputs.Values.Select(v => v.Shape), Is.All.EqualTo(new Shape(5, 2)));
    }

    [Test]
    public void ACrossStitchUnitMixesActivationsByAlpha()
    {
        var unit = new CrossStitchUnit<double>(2);
        Tensor.FromArray<double>([0.7, 0.3, -0.2, 1.1], 2, 2).CopyTo(unit.Alpha.Data);
        var x0 = LayerTestKit.Input(47, 2, 3, 2);
        var x1 = LayerTestKit.Input(48, 2, 3, 2);
        var mixed = unit.Forward([x0, x1]);
        Assert.That(mixed[1].Shape, Is.EqualTo(new Shape(2, 3, 2)));
        for (int j = 0; j < 12; j++)
        {
            Assert.That(mixed[0].Data[j], Is.EqualTo((0.7 * x0.Data[j]) + (0.3 * x1.Data[j])).Within(1e-15));
            Assert.That(mixed[1].Data[j], Is.EqualTo((-0.2 * x0.Data[j]) + (1.1 * x1.Data[j])).Within(1e-15));
        }
    }

    [Test]
    public void CrossStitchWithIdentityAlphaIsIndependentTowers()
    {
        var model = CrossStitch();
        foreach (var unit in model.Stitches.Children.Select(c => (CrossStitchUnit<double>)c.Value))
        {
            Tensor.FromArray<double>([1, 0, 0, 0, 1, 0, 0, 0, 1], 3, 3).CopyTo(unit.Alpha.Data);
        }

        var x = LayerTestKit.Input(49, 4, 3);
        var outputs = model.Forward(x);
        foreach (var task in model.Tasks)
        {
            Assert.That(outputs[task].Data.ToArray(), Is.EqualTo(((Sequential<double>)model.Towers[task]).Forward(x).Data.ToArray()).Within(1e-15));
        }
    }

    [Test]
    public void CrossStitchGradCheck()
    {
        var model = CrossStitch();
        var x = LayerTestKit.Input(50, 2, 3);
        LayerTestKit.AssertGradCheck(() => LayerTestKit.Joined(model.Forward(x)), model, x);
    }

    [Test]
    public void CrossStitchRejectsMisalignedTowersAndStitchPoints()
    {
        Assert.Throws<ArgumentException>(() => _ = new CrossStitchModel<double>(
            [new("a", new Sequential<double>(Dense(3, 2, 1))), new("b", new Sequential<double>(Dense(3, 2, 2), new Tanh<double>()))], [1]));
        Assert.Throws<ArgumentException>(() => _ = new CrossStitchModel<double>([new("a", new Sequential<double>(Dense(3, 2, 1)))], [2]));
    }

    private static MixtureOfExpertsModel<double> Mmoe()
    {
        var experts = Enumerable.Range(0, 3).Select(e => (Layer<double>)new Sequential<double>(Dense(4, 3, 60 + e), new Tanh<double>())).ToList();
        var model = new MixtureOfExpertsModel<double>(4, experts, new SeededRandom(63));
        model.AddTask("ctr", Dense(3, 1, 64));
        model.AddTask("cvr", new Sequential<double>(Dense(3, 2, 65), new Sigmoid<double>()));
        return model;
    }

    [Test]
    public void MmoeNamesShapesAndGates()
    {
        var model = Mmoe();
        Assert.That(model.NamedParameters().Select(p => p.Key), Is.EqualTo(new[]
        {
            "experts.0.0.weight", "experts.0.0.bias", "experts.1.0.weight", "experts.1.0.bias", "experts.2.0.weight", "experts.2.0.bias",
            "gates.ctr.weight", "gates.ctr.bias", "gates.cvr.weight", "gates.cvr.bias",
            "heads.ctr.weight", "heads.ctr.bias", "heads.cvr.0.weight", "heads.cvr.0.bias",
        }));

        var x = LayerTestKit.Input(66, 5, 4);
        var outputs = model.Forward(x);
        Assert.That(outputs["ctr"].Shape, Is.EqualTo(new Shape(5, 1)));
        Assert.That(outputs["cvr"].Shape, Is.EqualTo(new Shape(5, 2)));
        var gate = model.Gate(x, "cvr").Data;
        Assert.That(gate.Shape, Is.EqualTo(new Shape(5, 3)));
        for (int r = 0; r < 5; r++)
        {
            Assert.That(gate[r, 0] + gate[r, 1] + gate[r, 2], Is.EqualTo(1).Within(1e-12));
        }
    }

    [Test]
    public void MmoeOutputIsTheHeadOfTheGatedSumOfExperts()
    {
        var model = Mmoe();
        var x = LayerTestKit.Input(67, 4, 4);
        var gate = model.Gate(x, "ctr").Data;
        var experts = Enumerable.Range(0, 3).Select(e => ((Layer<double>)model.Experts[e.ToString(System.Globalization.CultureInfo.InvariantCulture)]).Forward(x).Data).ToList();
        var mixed = new Tensor<double>(4, 3);
        for (int r = 0; r < 4; r++)
        {
            for (int d = 0; d < 3; d++)
            {
                mixed.Span[(r * 3) + d] = Enumerable.Range(0, 3).Sum(e => gate[r, e] * experts[e][r, d]);
            }
        }

        var expected = ((Layer<double>)model.Heads["ctr"]).Forward(Var<double>.Constant(mixed)).Data.ToArray();
        Assert.That(model.Forward(x, "ctr").Data.ToArray(), Is.EqualTo(expected).Within(1e-12));
        Assert.That(model.Forward(x)["ctr"].Data.ToArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void MmoeGradCheck()
    {
        var model = Mmoe();
        var x = LayerTestKit.Input(68, 2, 4);
        LayerTestKit.AssertGradCheck(() => LayerTestKit.Joined(model.Forward(x)), model, x);
    }
}
