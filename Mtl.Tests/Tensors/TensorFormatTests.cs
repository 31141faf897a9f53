using Mtl.Tensors;

namespace Mtl.Tests.Tensors;

/// <summary><see cref="Tensor{T}.ToString"/> prints values: all of a small tensor, the ends of each axis of a large one.</summary>
public class TensorFormatTests
{
    [Test]
    public void SmallTensorsPrintEveryValue()
    {
        Assert.That(Tensor.FromArray<double>([3, -4, 7], 3).ToString(), Is.EqualTo("Tensor<float64>[3] [3, -4, 7]"));
        Assert.That(Tensor.Scalar(2.5f).ToString(), Is.EqualTo("Tensor<float32>[] [2.5]"));
        Assert.That(Tensor.FromArray<float>([1, 2, 30, 4], 2, 2).ToString(), Is.EqualTo("Tensor<float32>[2, 2]\n[[ 1,  2],\n [30,  4]]"));
        Assert.That(Tensor.Arange<float>(8).Reshape(2, 2, 2).ToString(), Is.EqualTo("Tensor<float32>[2, 2, 2]\n[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]"));
        Assert.That(new Tensor<float>(0, 3).ToString(), Is.EqualTo("Tensor<float32>[0, 3]\n[]"));
    }

    [Test]
    public void A180By1ColumnPrintsAllItsRows()
    {
        var x = Tensor.Arange<float>(180).Reshape(180, 1);
        string[] lines = x.ToString().Split('\n');
        Assert.That(lines[0], Is.EqualTo("Tensor<float32>[180, 1]"));
        Assert.That(lines, Has.Length.EqualTo(181));
        Assert.That(lines[1], Is.EqualTo("[[  0],"));
        Assert.That(lines[^1], Is.EqualTo(" [179]]"));
    }

    [Test]
    public void LargeTensorsShowThreeAtEachEndOfEachAxis()
    {
        var v = Tensor.Arange<double>(2000);
        Assert.That(v.ToString(), Is.EqualTo("Tensor<float64>[2000] [0, 1, 2, ..., 1997, 1998, 1999]"));

        var m = Tensor.Arange<float>(100 * 50).Reshape(100, 50);
        string[] lines = m.ToString().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(8), "header, three rows, '...', three rows");
        Assert.That(lines[1], Is.EqualTo("[[   0,    1,    2, ...,   47,   48,   49],"));
        Assert.That(lines[4], Is.EqualTo(" ...,"));
        Assert.That(lines[^1], Is.EqualTo(" [4950, 4951, 4952, ..., 4997, 4998, 4999]]"));
    }

    [Test]
    public void HugeTensorsFormatQuickly()
    {
        var x = new Tensor<float>(2000, 2000);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string s = x.ToString();
        Assert.That(s.Length, Is.LessThan(400), "only the 36 corner values are formatted");
        Assert.That(clock.ElapsedMilliseconds, Is.LessThan(1000));
    }
}
