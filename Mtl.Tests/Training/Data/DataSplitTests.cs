using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class DataSplitTests
{
    [TestCase(768, 0.7, 0.15)]
    [TestCase(342, 0.8, 0.1)]
    [TestCase(10, 1.0, 0.0)]
    [TestCase(7, 0.0, 0.5)]
    public void PartsAreDisjointAndCoverEveryRow(int rows, double train, double validation)
    {
        var s = DataSplit.Random(rows, train, validation, seed: 3);
        int[] all = [.. s.Train, .. s.Validation, .. s.Test];
        Assert.That(all, Has.Length.EqualTo(rows));
        Assert.That(all.Order(), Is.EqualTo(Enumerable.Range(0, rows)));
        Assert.That(s.Train, Has.Length.EqualTo((int)Math.Round(rows * train, MidpointRounding.AwayFromZero)));
        Assert.That(s.Train, Is.Ordered);
    }

    [Test]
    public void SameSeedSameSplitOtherSeedOtherSplit()
    {
        var a = DataSplit.Random(768, 0.7, 0.15, 42);
        var b = DataSplit.Random(768, 0.7, 0.15, 42);
        var c = DataSplit.Random(768, 0.7, 0.15, 43);
        Assert.That(b.Train, Is.EqualTo(a.Train));
        Assert.That(b.Validation, Is.EqualTo(a.Validation));
        Assert.That(b.Test, Is.EqualTo(a.Test));
        Assert.That(c.Train, Is.Not.EqualTo(a.Train));
        Assert.That(a.Validation, Has.Length.EqualTo(115));
        Assert.That(a.Test, Has.Length.EqualTo(768 - 538 - 115));
    }

    [Test]
    public void SplitIsNotTheIdentityOrder()
    {
        var s = DataSplit.Random(100, 0.5, 0.25, 1);
        Assert.That(s.Train, Is.Not.EqualTo(Enumerable.Range(0, 50)));
    }

    [TestCase(-0.1, 0.2)]
    [TestCase(0.9, 0.2)]
    [TestCase(double.NaN, 0.2)]
    public void BadFractionsAreRejected(double train, double validation)
    {
        Assert.That(() => DataSplit.Random(10, train, validation, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
