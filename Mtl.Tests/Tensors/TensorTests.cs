using Mtl.Tensors;

namespace Mtl.Tests.Tensors;

/// <summary>Storage, views, indexers and creation functions of <see cref="Tensor{T}"/>.</summary>
public class TensorTests
{
    [Test]
    public void ReshapeIsAViewAndInfersMinusOne()
    {
        var x = Tensor.Arange<float>(24);
        var r = x.Reshape(2, -1, 4);
        Assert.That(r.Shape, Is.EqualTo(new Shape(2, 3, 4)));
        r[1, 2, 3] = -5f;
        Assert.That(x[23], Is.EqualTo(-5f), "a reshape shares storage");
        Assert.That(x.Reshape(-1).Shape, Is.EqualTo(new Shape(24)));
        Assert.That(x.Reshape(new Shape(4, 6))[3, 5], Is.EqualTo(-5f));
        Assert.That(new Tensor<float>(0, 3).Reshape(3, 0, 5).Shape, Is.EqualTo(new Shape(3, 0, 5)));
    }

    [Test]
    public void BadReshapeNamesBothShapes()
    {
        var x = new Tensor<float>(2, 3);
        var ex = Assert.Throws<ArgumentException>(() => x.Reshape(4, 2));
        Assert.That(ex!.Message, Does.StartWith("Reshape:").And.Contain("[2, 3]").And.Contain("[4, 2]").And.Contain("6").And.Contain("8"));
        ex = Assert.Throws<ArgumentException>(() => x.Reshape(-1, -1));
        Assert.That(ex!.Message, Does.StartWith("Reshape:").And.Contain("-1"));
        ex = Assert.Throws<ArgumentException>(() => x.Reshape(4, -1));
        Assert.That(ex!.Message, Does.StartWith("Reshape:").And.Contain("[2, 3]"));
        ex = Assert.Throws<ArgumentException>(() => x.Reshape(-2, -3));
        Assert.That(ex!.Message, Does.StartWith("Reshape:").And.Contain("negative"));
        ex = Assert.Throws<ArgumentException>(() => x.Reshape(new Shape(7)));
        Assert.That(ex!.Message, Does.StartWith("Reshape:").And.Contain("[2, 3]").And.Contain("[7]"));
    }

    [Test]
    public void SliceRowsIsAViewWithBoundsChecks()
    {
        var x = Tensor.Arange<double>(12).Reshape(4, 3);
        var s = x.SliceRows(1, 2);
        Assert.That(s.Shape, Is.EqualTo(new Shape(2, 3)));
        Assert.That(s.ToArray(), Is.EqualTo(new double[] { 3, 4, 5, 6, 7, 8 }));
        s[1, 0] = -1;
        Assert.That(x[2, 0], Is.EqualTo(-1.0), "a row slice shares storage");
        Assert.That(x.SliceRows(4, 0).Length, Is.Zero);

        // A slice is a valid operand and destination; writing into it leaves the other rows alone.
        Tensor.Add(s, Tensor.Ones<double>(3), s);
        Assert.That(x.ToArray(), Is.EqualTo(new double[] { 0, 1, 2, 4, 5, 6, 0, 8, 9, 9, 10, 11 }));

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.SliceRows(3, 2));
        Assert.That(ex!.Message, Does.StartWith("SliceRows:").And.Contain("[4, 3]"));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.SliceRows(-1, 1));
        Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.0).SliceRows(0, 1));
    }

    [Test]
    public void IndexersAndFlatIndex()
    {
        var x = Tensor.Arange<float>(120).Reshape(2, 3, 4, 5);
        Assert.That(x.FlatIndex(1, 2, 3, 4), Is.EqualTo(119));
        Assert.That(x[1, 0, 2, 1], Is.EqualTo(60f + 10f + 1f));
        Assert.That(x.Reshape(6, 20)[5, 19], Is.EqualTo(119f));
        Assert.That(x.Reshape(6, 4, 5)[1, 1, 1], Is.EqualTo(26f));
        Assert.That(x[119], Is.EqualTo(119f), "the one-index indexer is the flat element");

        var ex = Assert.Throws<IndexOutOfRangeException>(() => _ = x[1, 3, 0, 0]);
        Assert.That(ex!.Message, Does.Contain("3").And.Contain("axis 1").And.Contain("[2, 3, 4, 5]"));
        Assert.Throws<IndexOutOfRangeException>(() => _ = x[0, 0, 0, -1]);
        var ae = Assert.Throws<ArgumentException>(() => x.FlatIndex(1, 2));
        Assert.That(ae!.Message, Does.Contain("2 indices").And.Contain("[2, 3, 4, 5]"));
        Assert.Throws<ArgumentException>(() => _ = x[0, 0]);
        Assert.Throws<IndexOutOfRangeException>(() => _ = x[120]);
    }

    [Test]
    public void ItemNeedsExactlyOneElement()
    {
        Assert.That(Tensor.Scalar(2.5f).Item(), Is.EqualTo(2.5f));
        Assert.That(Tensor.Full(3.0, 1, 1).Item(), Is.EqualTo(3.0));
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Ones<float>(2).Item());
        Assert.That(ex!.Message, Does.StartWith("Item:").And.Contain("[2]"));
        Assert.Throws<InvalidOperationException>(() => new Tensor<float>(0).Item());
    }

    [Test]
    public void FromArrayChecksTheCount()
    {
        var t = Tensor.FromArray<float>([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.That(t[1, 2], Is.EqualTo(6f));
        Assert.That(Tensor.FromArray<float>([1, 2, 3]).Shape, Is.EqualTo(new Shape(3)));
        var ex = Assert.Throws<ArgumentException>(() => Tensor.FromArray<float>([1, 2, 3, 4, 5], 2, 3));
        Assert.That(ex!.Message, Does.StartWith("FromArray:").And.Contain("5").And.Contain("[2, 3]"));
        var m = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.That(m.Shape, Is.EqualTo(new Shape(2, 3)));
        Assert.That(m[1, 0], Is.EqualTo(4.0));
    }

    [Test]
    public void ArangeFollowsNumPy()
    {
        Assert.That(Tensor.Arange<double>(5).ToArray(), Is.EqualTo(new double[] { 0, 1, 2, 3, 4 }));
        Assert.That(Tensor.Arange(5.0, 0.0, -1.0).ToArray(), Is.EqualTo(new double[] { 5, 4, 3, 2, 1 }));
        Assert.That(Tensor.Arange(0.0, 1.0, 0.25).ToArray(), Is.EqualTo(new double[] { 0, 0.25, 0.5, 0.75 }));

        // numpy.arange(0, 1, 0.1) has 10 elements, numpy.arange(0, 1.05, 0.1) has 11.
        Assert.That(Tensor.Arange(0.0, 1.0, 0.1).Length, Is.EqualTo(10));
        Assert.That(Tensor.Arange(0f, 1f, 0.1f).Length, Is.EqualTo(10));
        Assert.That(Tensor.Arange(0.0, 1.05, 0.1).Length, Is.EqualTo(11));
        Assert.That(Tensor.Arange(1.0, 1.0, 1.0).Length, Is.Zero);
        Assert.That(Tensor.Arange(2.0, 1.0, 1.0).Length, Is.Zero);
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Arange(0.0, 1.0, 0.0));
        Assert.That(ex!.Message, Does.StartWith("Arange:"));
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0.0, double.PositiveInfinity, 1.0));
    }

    [Test]
    public void ShapeRankAboveSixThrows()
    {
        Assert.That(new Shape(1, 2, 1, 2, 1, 2).Rank, Is.EqualTo(6));
        var ex = Assert.Throws<ArgumentException>(() => _ = new Shape(1, 1, 1, 1, 1, 1, 1));
        Assert.That(ex!.Message, Does.StartWith("Shape:").And.Contain("7").And.Contain("6"));
        Assert.Throws<ArgumentException>(() => _ = new Tensor<float>(1, 1, 1, 1, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => _ = new Shape(65536, 65536));
    }

    [Test]
    public void CloneCopyToFillAndCast()
    {
        var x = Tensor.Arange<double>(6).Reshape(2, 3);
        var c = x.Clone();
        c[0, 0] = 9;
        Assert.That(x[0, 0], Is.Zero, "a clone has its own storage");
        var d = new Tensor<double>(3, 2);
        x.CopyTo(d);
        Assert.That(d.ToArray(), Is.EqualTo(x.ToArray()));
        var ex = Assert.Throws<ArgumentException>(() => x.CopyTo(new Tensor<double>(5)));
        Assert.That(ex!.Message, Does.StartWith("CopyTo:").And.Contain("[2, 3]").And.Contain("[5]"));
        var f = Tensor.Cast<double, float>(Tensor.FromArray<double>([0.1, 1e40, -2]));
        Assert.That(f.ToArray(), Is.EqualTo(new[] { 0.1f, float.PositiveInfinity, -2f }));
        x.Fill(7);
        Assert.That(x.ToArray(), Is.All.EqualTo(7.0));
        x.Clear();
        Assert.That(x.ToArray(), Is.All.EqualTo(0.0));
    }

    [Test]
    public void WrappingABufferChecksItsSize()
    {
        var buffer = new float[10];
        var t = new Tensor<float>(buffer, 4, new Shape(2, 3));
        t[1, 2] = 1;
        Assert.That(buffer[9], Is.EqualTo(1f));
        var ex = Assert.Throws<ArgumentException>(() => _ = new Tensor<float>(buffer, 5, new Shape(2, 3)));
        Assert.That(ex!.Message, Does.Contain("[2, 3]").And.Contain("10"));
        Assert.Throws<ArgumentException>(() => _ = new Tensor<float>(buffer, -1, new Shape(2)));
    }
}
