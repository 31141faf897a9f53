using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>Dropout's train/eval behaviour and Embedding's lookups.</summary>
public class DropoutAndEmbeddingTests
{
    [Test]
    public void DropoutInTrainingZeroesAboutPAndScalesTheRest()
    {
        var dropout = new Dropout<double>(0.3, new SeededRandom(1));
        var x = Var<double>.Constant(Tensor.Full(2.0, 100, 100));
        var y = dropout.Forward(x).Data.ToArray();
        int zeros = y.Count(v => v == 0);
        Assert.That(zeros / 10000.0, Is.EqualTo(0.3).Within(0.02));
        Assert.That(y.Where(v => v != 0), Is.All.EqualTo(2.0 / 0.7).Within(1e-15));
    }

    [Test]
    public void DropoutInEvaluationIsTheIdentity()
    {
        var dropout = new Dropout<double>(0.5, new SeededRandom(1));
        dropout.Eval();
        var x = LayerTestKit.Input(2, 4, 5);
        Assert.That(dropout.Forward(x), Is.SameAs(x));
        dropout.Train();
        Assert.That(dropout.Forward(x).Data.ToArray(), Is.Not.EqualTo(x.Data.ToArray()));
    }

    [Test]
    public void DropoutMasksAreReproducibleFromTheSeed()
    {
        var x = Var<double>.Constant(Tensor.Ones<double>(8, 8));
        var a = new Dropout<double>(0.5, new SeededRandom(42)).Forward(x).Data.ToArray();
        var b = new Dropout<double>(0.5, new SeededRandom(42)).Forward(x).Data.ToArray();
        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void DropoutRejectsAProbabilityOutsideZeroToOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Dropout<double>(1.0, new SeededRandom(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Dropout<double>(-0.1, new SeededRandom(1)));
    }

    [Test]
    public void EmbeddingLooksUpRowsAndAccumulatesRepeatedIndices()
    {
        var emb = new Embedding<double>(5, 3, new SeededRandom(3));
        var y = emb.Forward([4, 0, 4]);
        Assert.That(y.Shape, Is.EqualTo(new Shape(3, 3)));
        for (int j = 0; j < 3; j++)
        {
            Assert.That(y.Data[0, j], Is.EqualTo(emb.Weight.Data[4, j]));
            Assert.That(y.Data[1, j], Is.EqualTo(emb.Weight.Data[0, j]));
        }

        y.Sum().Backward();
        var g = emb.Weight.Grad!;
        Assert.That(Enumerable.Range(0, 3).Select(j => g[4, j]), Is.All.EqualTo(2.0));
        Assert.That(Enumerable.Range(0, 3).Select(j => g[0, j]), Is.All.EqualTo(1.0));
        Assert.That(Enumerable.Range(0, 3).Select(j => g[2, j]), Is.All.EqualTo(0.0));
    }

    [Test]
    public void EmbeddingAsALayerAddsAnAxis()
    {
        var emb = new Embedding<double>(6, 4, new SeededRandom(4));
        var idx = Var<double>.Constant(Tensor.FromArray<double>([1, 5, 0, 2, 2, 3], 2, 3));
        var y = emb.Forward(idx);
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 3, 4)));
        Assert.That(y.Data[1, 2, 3], Is.EqualTo(emb.Weight.Data[3, 3]));
        Assert.That(emb.NamedParameters().Single().Key, Is.EqualTo("weight"));
    }

    [Test]
    public void EmbeddingIsDrawnFromAStandardNormal()
    {
        var w = new Embedding<double>(200, 50, new SeededRandom(5)).Weight.Data.ToArray();
        double mean = w.Average();
        Assert.That(mean, Is.EqualTo(0).Within(0.03));
        Assert.That(Math.Sqrt(w.Average(v => (v - mean) * (v - mean))), Is.EqualTo(1).Within(0.03));
    }

    [Test]
    public void EmbeddingIndexOutOfRangeNamesThePathAndTheIndex()
    {
        var model = new MultiInputModel<double>(new Linear<double>(3, 3, new SeededRandom(1)));
        model.AddTask("words", new Embedding<double>(4, 3, new SeededRandom(2)), new Linear<double>(3, 1, new SeededRandom(3)));
        var emb = (Embedding<double>)model.Encoders["words"];

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([1, 4]));
        Assert.That(ex!.Message, Does.Contain("encoders.words").And.Contain("index 4").And.Contain("position 1"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([-1]));
        Assert.That(ex!.Message, Does.Contain("index -1"));
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward("words", Var<double>.Constant(Tensor.FromArray<double>([0, 1.5], 2))));
        Assert.That(ex!.Message, Does.Contain("encoders.words").And.Contain("index 1.5"));
    }
}
