using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>
/// Every layer gradchecked in float64 as it is wired: the module's own parameters (and the input) are
/// the leaves GradCheck perturbs in place.
/// </summary>
public class LayerGradCheckTests
{
    [Test]
    public void Linear()
    {
        var layer = new Linear<double>(4, 3, new SeededRandom(1));
        var x = LayerTestKit.Input(2, 5, 4);
        LayerTestKit.AssertGradCheck(() => layer.Forward(x), layer, x);
    }

    [Test]
    public void DropoutInTraining()
    {
        // A fresh generator with the same seed each call, so every evaluation draws the same mask.
        var x = LayerTestKit.Input(3, 4, 6);
        var report = GradCheck.Run(() => new Dropout<double>(0.4, new SeededRandom(7)).Forward(x).Square(), [x]);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    [Test]
    public void LayerNorm()
    {
        var layer = new LayerNorm<double>(5);
        Tensor.RandomNormal<double>(4, 5).CopyTo(layer.Weight.Data);
        Tensor.RandomNormal<double>(5, 5).CopyTo(layer.Bias.Data);
        var x = LayerTestKit.Input(6, 2, 3, 5);
        LayerTestKit.AssertGradCheck(() => layer.Forward(x), layer, x);
    }

    [Test]
    public void BatchNorm1dInTraining()
    {
        var layer = new BatchNorm1d<double>(3);
        Tensor.RandomNormal<double>(7, 3).CopyTo(layer.Weight.Data);
        var x = LayerTestKit.Input(8, 5, 3);
        LayerTestKit.AssertGradCheck(() => layer.Forward(x), layer, x);
    }

    [Test]
    public void BatchNorm1dInEvaluation()
    {
        var layer = new BatchNorm1d<double>(3);
        layer.Forward(LayerTestKit.Input(9, 6, 3));
        layer.Eval();
        var x = LayerTestKit.Input(10, 4, 3);
        LayerTestKit.AssertGradCheck(() => layer.Forward(x), layer, x);
    }

    [Test]
    public void Embedding()
    {
        var layer = new Embedding<double>(5, 3, new SeededRandom(11));
        LayerTestKit.AssertGradCheck(() => layer.Forward([2, 0, 2, 4]).Square(), layer);
    }

    [Test]
    public void Conv2dWithStrideAndPadding()
    {
        var layer = new Conv2d<double>(2, 3, 3, new SeededRandom(12), stride: 2, padding: 1);
        var x = LayerTestKit.Input(13, 2, 2, 5, 4);
        LayerTestKit.AssertGradCheck(() => layer.Forward(x), layer, x);
    }

    [Test]
    public void MaxPool2d()
    {
        var layer = new MaxPool2d<double>(2, stride: 1);
        var x = LayerTestKit.Input(14, 2, 2, 4, 3);
        LayerTestKit.AssertGradCheck(() => layer.Forward(x), layer, x);
    }

    [Test]
    public void AConvolutionalStack()
    {
        var net = new Sequential<double>(
            new Conv2d<double>(1, 2, 3, new SeededRandom(15), padding: 1),
            new Tanh<double>(),
            new MaxPool2d<double>(2),
            new Flatten<double>(),
            new Linear<double>(2 * 2 * 3, 2, new SeededRandom(16)));
        var x = LayerTestKit.Input(17, 2, 1, 5, 7);
        Assert.That(net.Forward(x).Shape, Is.EqualTo(new Shape(2, 2)));
        LayerTestKit.AssertGradCheck(() => net.Forward(x), net, x);
    }
}
