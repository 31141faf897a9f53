using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>
/// MultiTaskModel runs the Linear heads that attach at one depth as one wide layer: same outputs and
/// gradients as separate heads, one op on the tape, and a clear error for a mismatched trunk.
/// </summary>
public class FusedHeadsTests
{
    private static MultiTaskModel<double> Model()
    {
        var random = new SeededRandom(11);
        var model = new MultiTaskModel<double>(new Sequential<double>(new Linear<double>(4, 6, random), new Tanh<double>(), new Linear<double>(6, 5, random)));
        model.AddHead("a", new Linear<double>(5, 1, random));
        model.AddHead("b", new Linear<double>(5, 3, random, bias: false));
        model.AddHead("early", new Linear<double>(6, 2, random), depth: 2);
        model.AddHead("c", new Sequential<double>(new Linear<double>(5, 2, random), new ReLU<double>()));
        model.AddHead("d", new Linear<double>(5, 2, random));
        return model;
    }

    private static (Dictionary<string, double[]> Outputs, Dictionary<string, double[]> Grads) Run(MultiTaskModel<double> model, bool fuse)
    {
        model.FuseLinearHeads = fuse;
        model.ZeroGrad();
        var outputs = model.Forward(LayerTestKit.Input(3, 7, 4));
        var values = outputs.ToDictionary(o => o.Key, o => o.Value.Data.ToArray());
        var loss = outputs.Values.Select((o, i) => (o * (i + 1.0)).Square().Mean()).Aggregate((p, q) => p + q);
        loss.Backward();
        return (values, model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Grad!.ToArray()));
    }

    [Test]
    public void FusedHeadsGiveTheOutputsAndGradientsOfSeparateHeads()
    {
        var model = Model();
        var (fusedOut, fusedGrad) = Run(model, fuse: true);
        var (plainOut, plainGrad) = Run(model, fuse: false);

        Assert.That(fusedOut.Keys, Is.EqualTo(new[] { "a", "b", "early", "c", "d" }), "outputs stay in task order");
        foreach (var (task, values) in plainOut)
        {
            Assert.That(fusedOut[task], Is.EqualTo(values).Within(1e-13), task);
        }

        foreach (var (name, grad) in plainGrad)
        {
            Assert.That(fusedGrad[name], Is.EqualTo(grad).Within(1e-13), name);
            Assert.That(grad.Any(g => g != 0), Is.True, $"{name} receives a gradient");
        }
    }

    [Test]
    public void TheLinearHeadsAtOneDepthAreOneOpOnTheTape()
    {
        var model = Model();
        model.Forward(LayerTestKit.Input(3, 2, 4));
        var ops = Tape.Current.Nodes.Select(n => n.OpName).ToList();
        Assert.That(ops.Count(o => o == "linear_heads"), Is.EqualTo(1), string.Join(", ", ops));
        Assert.That(ops.Count(o => o == "linear"), Is.EqualTo(2 + 1 + 1), "trunk, the lone head at depth 2, and the Sequential head");

        Tape.Current.Release();
        model.FuseLinearHeads = false;
        model.Forward(LayerTestKit.Input(3, 2, 4));
        Assert.That(Tape.Current.Nodes.Count(n => n.OpName == "linear_heads"), Is.Zero);
        Tape.Current.Release();
    }

    [Test]
    public void FusedHeadsGradCheck()
    {
        var model = Model();
        model.Eval();
        var x = LayerTestKit.Input(5, 3, 4);
        LayerTestKit.AssertGradCheck(() => LayerTestKit.Joined(model.Forward(x)), model, x);
    }

    [Test]
    public void FrozenHeadsGetNoGradientAndTheOthersStillDo()
    {
        var model = Model();
        var a = (Linear<double>)model.Heads["a"];
        a.Weight.RequiresGrad = false;
        a.Bias!.RequiresGrad = false;
        var outputs = model.Forward(LayerTestKit.Input(3, 4, 4));
        outputs.Values.Select(o => o.Square().Sum()).Aggregate((p, q) => p + q).Backward();
        Assert.That(a.Weight.Grad, Is.Null);
        Assert.That(((Linear<double>)model.Heads["d"]).Weight.Grad!.ToArray().Any(g => g != 0), Is.True);
    }

    [Test]
    public void ATrunkOfTheWrongWidthNamesTheDepthAndTheShapes()
    {
        var random = new SeededRandom(3);
        var model = new MultiTaskModel<double>(new Sequential<double>(new Linear<double>(4, 6, random)));
        model.AddHead("a", new Linear<double>(5, 1, random));
        model.AddHead("b", new Linear<double>(5, 2, random));
        var ex = Assert.Throws<ArgumentException>(() => model.Forward(LayerTestKit.Input(1, 2, 4)));
        Assert.That(ex!.Message, Does.Contain("depth 1").And.Contain("[batch, 5]").And.Contain("[2, 6]"));
        Tape.Current.Release();
    }

    [Test]
    public void LinearHeadsRejectsMismatchedWeightsAndBiases()
    {
        var x = Var<double>.Constant(new Tensor<double>(2, 3));
        var w = Var<double>.Parameter(new Tensor<double>(2, 3));
        var wrong = Var<double>.Parameter(new Tensor<double>(2, 4));
        var bias = Var<double>.Parameter(new Tensor<double>(3));
        Assert.That(Assert.Throws<ArgumentException>(() => Ops.LinearHeads(x, [w, wrong], [null, null]))!.Message, Does.Contain("weight 1").And.Contain("[2, 4]"));
        Assert.That(Assert.Throws<ArgumentException>(() => Ops.LinearHeads(x, [w], [bias]))!.Message, Does.Contain("bias 0").And.Contain("expected [2]"));
        Assert.That(Assert.Throws<ArgumentException>(() => Ops.LinearHeads(x, [w], []))!.Message, Does.Contain("1 weights and 0 biases"));
        Tape.Current.Release();
    }
}
