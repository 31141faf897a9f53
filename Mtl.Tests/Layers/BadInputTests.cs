using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>A wrong width, channel count or spatial size throws an ArgumentException naming the layer's path and both shapes.</summary>
public class BadInputTests
{
    private static MultiTaskModel<double> ModelWithHead(Layer<double> layer)
    {
        var model = new MultiTaskModel<double>(new Sequential<double>(new Flatten<double>()));
        model.AddHead("species", new Sequential<double>(layer));
        return model;
    }

    private static void AssertShapeError(Layer<double> layer, int[] shape, params string[] fragments)
    {
        var model = ModelWithHead(layer);
        Assert.That(layer.Path, Is.EqualTo("heads.species.0"));
        var x = Var<double>.Constant(Tensor.Zeros<double>(shape));
        var ex = Assert.Throws<ArgumentException>(() => layer.Forward(x));
        Assert.That(ex!.Message, Does.Contain("heads.species.0").And.Contain(new Shape(shape).ToString()));
        foreach (var f in fragments)
        {
            Assert.That(ex.Message, Does.Contain(f));
        }
    }

    [Test]
    public void LinearWrongWidth() => AssertShapeError(new Linear<double>(4, 2, new SeededRandom(1)), [3, 5], "Linear", "[batch, 4]");

    [Test]
    public void LayerNormWrongLastAxis() => AssertShapeError(new LayerNorm<double>(4), [3, 5], "LayerNorm", "[..., 4]");

    [Test]
    public void BatchNormWrongChannels() => AssertShapeError(new BatchNorm1d<double>(4), [3, 5], "BatchNorm1d", "[batch, 4]");

    [Test]
    public void BatchNormWrongRank() => AssertShapeError(new BatchNorm1d<double>(4), [3, 4, 1], "BatchNorm1d");

    [Test]
    public void Conv2dWrongChannels() => AssertShapeError(new Conv2d<double>(3, 4, 3, new SeededRandom(1)), [1, 2, 8, 8], "Conv2d", "[batch, 3,");

    [Test]
    public void Conv2dTooSmall() => AssertShapeError(new Conv2d<double>(3, 4, 5, new SeededRandom(1), padding: 1), [1, 3, 2, 8], "Conv2d", "H ≥ 3");

    [Test]
    public void Conv2dNotFourDimensional() => AssertShapeError(new Conv2d<double>(3, 4, 3, new SeededRandom(1)), [3, 8, 8], "Conv2d");

    [Test]
    public void MaxPool2dTooSmall() => AssertShapeError(new MaxPool2d<double>(3), [1, 2, 5, 2], "MaxPool2d", "W ≥ 3");

    [Test]
    public void FlattenOfAVector() => AssertShapeError(new Flatten<double>(), [5], "Flatten");

    [Test]
    public void TheOpsThemselvesCheckToo()
    {
        var x = Var<double>.Constant(Tensor.Zeros<double>(1, 2, 3, 3));
        var w = Var<double>.Constant(Tensor.Zeros<double>(4, 3, 3, 3));
        Assert.That(() => Ops.Conv2d(x, w), Throws.ArgumentException.With.Message.Contains("conv2d"));
        Assert.That(() => Ops.MaxPool2d(x, (4, 4)), Throws.ArgumentException.With.Message.Contains("max_pool2d"));
    }

    [Test]
    public void AMultiTaskBlockReportsTheInnerLayersPath()
    {
        var mmoe = new MixtureOfExpertsModel<double>(3, [new Linear<double>(3, 2, new SeededRandom(1))], new SeededRandom(2));
        mmoe.AddTask("a", new Linear<double>(2, 1, new SeededRandom(3)));
        var ex = Assert.Throws<ArgumentException>(() => mmoe.Forward(Var<double>.Constant(Tensor.Zeros<double>(2, 4))));
        Assert.That(ex!.Message, Does.Contain("MixtureOfExpertsModel").And.Contain("[2, 4]"));

        var stitch = new CrossStitchModel<double>(
            [new("a", new Sequential<double>(new Linear<double>(3, 2, new SeededRandom(4)))), new("b", new Sequential<double>(new Linear<double>(3, 2, new SeededRandom(5))))],
            [1]);
        ex = Assert.Throws<ArgumentException>(() => stitch.Forward(Var<double>.Constant(Tensor.Zeros<double>(2, 5))));
        Assert.That(ex!.Message, Does.Contain("towers.a.0").And.Contain("[2, 5]"));
    }
}
