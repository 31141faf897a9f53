using Mtl.Tensors;

namespace Mtl.Tests.Tensors;

public class ShapeTests
{
    [Test]
    public void LengthIsProductOfDimensions()
    {
        Assert.That(new Shape(2, 3, 4).Length, Is.EqualTo(24));
        Assert.That(Shape.Scalar.Length, Is.EqualTo(1));
        Assert.That(new Shape(3, 0).Length, Is.Zero);
    }

    [Test]
    public void NegativeDimensionIsRejectedWithTheShapeInTheMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new Shape(2, -1));
        Assert.That(ex!.Message, Does.Contain("negative").And.Contain("[2, -1]"));
    }

    [Test]
    public void BroadcastFollowsNumPyRules()
    {
        Assert.That(Shape.Broadcast(new Shape(4, 3), new Shape(3), "t"), Is.EqualTo(new Shape(4, 3)));
        Assert.That(Shape.Broadcast(new Shape(4, 1), new Shape(1, 5), "t"), Is.EqualTo(new Shape(4, 5)));
        Assert.That(Shape.Broadcast(new Shape(2, 1, 3), new Shape(4, 1), "t"), Is.EqualTo(new Shape(2, 4, 3)));
        var ex = Assert.Throws<ArgumentException>(() => Shape.Broadcast(new Shape(4, 3), new Shape(2), "Add"));
        Assert.That(ex!.Message, Does.StartWith("Add:").And.Contain("[4, 3]").And.Contain("[2]"));
    }

    [Test]
    public void ReduceAndNegativeAxes()
    {
        var s = new Shape(2, 3, 4);
        Assert.That(s[-1], Is.EqualTo(4));
        Assert.That(s.Reduce(1, keepDim: false), Is.EqualTo(new Shape(2, 4)));
        Assert.That(s.Reduce(-1, keepDim: true), Is.EqualTo(new Shape(2, 3, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = s[3]);
    }
}
