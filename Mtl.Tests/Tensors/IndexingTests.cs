using Mtl.Tensors;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors;

/// <summary>Concat, Narrow, Gather, GatherInto and IndexAdd against naive index loops.</summary>
public class IndexingTests
{
    [Test]
    public void ConcatAlongEveryAxisMatchesNaiveLoop()
    {
        var random = new SeededRandom(41);
        for (int trial = 0; trial < 40; trial++)
        {
            var shape = RandomShape(random, 1 + random.NextInt(4), 1, 4);
            for (int axis = -shape.Rank; axis < shape.Rank; axis++)
            {
                int a = shape.NormalizeAxis(axis);
                var parts = Enumerable.Range(0, 1 + random.NextInt(3)).Select(_ => Random<float>(random, shape.WithDim(a, random.NextInt(4)))).ToList();
                var c = Tensor.Concat(parts, axis);
                int total = parts.Sum(p => p.Shape[a]);
                Assert.That(c.Shape, Is.EqualTo(shape.WithDim(a, total)));
                for (int i = 0; i < c.Length; i++)
                {
                    var idx = Unravel(i, c.Shape);
                    int k = idx[a], part = 0;
                    while (k >= parts[part].Shape[a])
                    {
                        k -= parts[part].Shape[a];
                        part++;
                    }

                    idx[a] = k;
                    Assert.That(c.Span[i], Is.EqualTo(parts[part].Span[parts[part].FlatIndex(idx)]), $"Concat {shape} axis {axis} at {i}");
                }
            }
        }
    }

    [Test]
    public void ConcatErrors()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Concat(new[] { Tensor.Ones<float>(2, 3), Tensor.Ones<float>(3, 3) }, 1));
        Assert.That(ex!.Message, Does.StartWith("Concat:").And.Contain("[2, 3]").And.Contain("[3, 3]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Concat(new[] { Tensor.Ones<float>(2, 3), Tensor.Ones<float>(6) }, 0));
        Assert.That(ex!.Message, Does.StartWith("Concat:").And.Contain("[2, 3]").And.Contain("[6]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Concat(Array.Empty<Tensor<float>>(), 0));
        Assert.That(ex!.Message, Does.StartWith("Concat:"));
    }

    [Test]
    public void NarrowAlongEveryAxisMatchesNaiveLoop()
    {
        var random = new SeededRandom(42);
        for (int trial = 0; trial < 40; trial++)
        {
            var shape = RandomShape(random, 1 + random.NextInt(4), 1, 5);
            var x = Random<float>(random, shape);
            for (int axis = -shape.Rank; axis < shape.Rank; axis++)
            {
                int a = shape.NormalizeAxis(axis);
                int start = random.NextInt(shape[a] + 1);
                int length = random.NextInt(shape[a] - start + 1);
                var y = Tensor.Narrow(x, axis, start, length);
                Assert.That(y.Shape, Is.EqualTo(shape.WithDim(a, length)));
                for (int i = 0; i < y.Length; i++)
                {
                    var idx = Unravel(i, y.Shape);
                    idx[a] += start;
                    Assert.That(y.Span[i], Is.EqualTo(x.Span[x.FlatIndex(idx)]), $"Narrow {shape} axis {axis} [{start}, +{length})");
                }
            }
        }

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Narrow(Tensor.Ones<float>(2, 3), 1, 2, 2));
        Assert.That(ex!.Message, Does.StartWith("Narrow:").And.Contain("[2, 3]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Narrow(Tensor.Ones<float>(2, 3), 0, -1, 1));
    }

    [Test]
    public void GatherPicksRowsAndIndexAddIsItsAdjoint()
    {
        var random = new SeededRandom(43);
        var x = Random<double>(random, new Shape(5, 2, 3));
        int[] indices = [4, 0, 4, 2, 4];
        var g = Tensor.Gather(x, indices);
        Assert.That(g.Shape, Is.EqualTo(new Shape(5, 2, 3)));
        for (int i = 0; i < indices.Length; i++)
        {
            Assert.That(g.SliceRows(i, 1).ToArray(), Is.EqualTo(x.SliceRows(indices[i], 1).ToArray()), $"row {i}");
        }

        var into = Tensor.Full(double.NaN, 5, 2, 3);
        Tensor.GatherInto(x, indices, into);
        AssertSameBits(into, g, "GatherInto");

        // IndexAdd accumulates repeated indices: <Gather(x), y> = <x, IndexAdd(0, y)>.
        var y = Random<double>(random, new Shape(5, 2, 3));
        var scattered = new Tensor<double>(5, 2, 3);
        Tensor.IndexAdd(scattered, indices, y);
        for (int r = 0; r < 5; r++)
        {
            for (int j = 0; j < 6; j++)
            {
                double expected = 0;
                for (int i = 0; i < indices.Length; i++)
                {
                    expected += indices[i] == r ? y.Span[(i * 6) + j] : 0;
                }

                Assert.That(scattered.Span[(r * 6) + j], Is.EqualTo(expected).Within(1e-15), $"IndexAdd row {r}");
            }
        }

        Assert.That(Tensor.Gather(x, []).Shape, Is.EqualTo(new Shape(0, 2, 3)));
    }

    [Test]
    public void GatherAndIndexAddErrors()
    {
        var x = Tensor.Ones<float>(3, 2);
        var ex = Assert.Throws<IndexOutOfRangeException>(() => Tensor.Gather(x, [0, 3]));
        Assert.That(ex!.Message, Does.StartWith("Gather:").And.Contain("3").And.Contain("[3, 2]"));
        Assert.Throws<IndexOutOfRangeException>(() => Tensor.Gather(x, [-1]));
        var ae = Assert.Throws<ArgumentException>(() => Tensor.GatherInto(x, [0, 1], new Tensor<float>(3, 2)));
        Assert.That(ae!.Message, Does.StartWith("Gather:").And.Contain("[3, 2]").And.Contain("[2, 2]"));
        ae = Assert.Throws<ArgumentException>(() => Tensor.Gather(Tensor.Scalar(1f), [0]));
        Assert.That(ae!.Message, Does.StartWith("Gather:"));
        ae = Assert.Throws<ArgumentException>(() => Tensor.IndexAdd(x, [0, 1], Tensor.Ones<float>(2, 3)));
        Assert.That(ae!.Message, Does.StartWith("IndexAdd:").And.Contain("[2, 3]").And.Contain("[2, 2]"));
        ex = Assert.Throws<IndexOutOfRangeException>(() => Tensor.IndexAdd(x, [5], Tensor.Ones<float>(1, 2)));
        Assert.That(ex!.Message, Does.StartWith("IndexAdd:").And.Contain("5"));
    }
}
