using Mtl.Examples;
using ScottPlot;

namespace Mtl.Tests.Examples;

/// <summary>The pure decisions behind the example plots: ticks, markers and where the legend goes.</summary>
public class PlotTicksTests
{
    [TestCase(1e-3, "1e-3")]
    [TestCase(1e-2, "0.01")]
    [TestCase(0.1, "0.1")]
    [TestCase(1, "1")]
    [TestCase(100, "100")]
    [TestCase(1e4, "1e4")]
    [TestCase(2e-5, "2e-5")]
    [TestCase(0.05, "0.05")]
    public void LogLabelsArePlainNearOneAndExponentialBeyond(double value, string label) =>
        Assert.That(PlotTicks.LogLabel(value), Is.EqualTo(label));

    [Test]
    public void LogTicksOverDecadesLabelEachDecadeWithMinorTicksBetween()
    {
        var ticks = PlotTicks.Log(0.004, 0.9);
        var major = ticks.Where(t => t.Major).ToList();
        Assert.That(major.Select(t => t.Label), Is.EqualTo(new[] { "1e-3", "0.01", "0.1", "1" }));
        Assert.That(major.Select(t => t.Value), Is.EqualTo(new[] { 1e-3, 1e-2, 0.1, 1 }).Within(1e-15));
        var minor = ticks.Where(t => !t.Major).ToList();
        Assert.That(minor, Has.Count.EqualTo(3 * 8));
        Assert.That(minor.All(t => t.Label.Length == 0), Is.True);
        Assert.That(minor[0].Value, Is.EqualTo(2e-3).Within(1e-15));
    }

    [Test]
    public void ManyDecadesLabelEveryFewToStayReadable()
    {
        var major = PlotTicks.Log(1e-12, 1e3).Where(t => t.Major).ToList();
        Assert.That(major.Count, Is.LessThanOrEqualTo(8));
        Assert.That(major[0].Label, Is.EqualTo("1e-12"));
        Assert.That(major.Select(t => Math.Round(Math.Log10(t.Value))).Zip(major.Skip(1).Select(t => Math.Round(Math.Log10(t.Value)))).Select(p => p.Second - p.First).Distinct().Count(), Is.EqualTo(1), "evenly spaced decades");
    }

    [Test]
    public void NarrowLogRangeGetsOneTwoFiveTicksInsideIt()
    {
        var major = PlotTicks.Log(0.15, 0.6).Where(t => t.Major).ToList();
        Assert.That(major.Select(t => t.Label), Is.EqualTo(new[] { "0.2", "0.5" }));
        var finer = PlotTicks.Log(0.31, 0.45).Select(t => t.Label);
        Assert.That(finer, Is.EqualTo(new[] { "0.4" }).Or.EqualTo(new[] { "0.31", "0.45" }));
        Assert.That(() => PlotTicks.Log(0, 1), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase(1, 7, new[] { 1, 2, 3, 4, 5, 6, 7 })]
    [TestCase(1, 20, new[] { 1, 5, 10, 15, 20 })]
    [TestCase(1, 9, new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    [TestCase(1, 100, new[] { 1, 20, 40, 60, 80, 100 })]
    [TestCase(1, 37, new[] { 1, 5, 10, 15, 20, 25, 30, 35 })]
    [TestCase(3, 3, new[] { 3 })]
    public void EpochTicksAreWholeNumbersAtRoundSteps(int min, int max, int[] expected)
    {
        var ticks = PlotTicks.Integers(min, max);
        Assert.That(ticks, Is.EqualTo(expected));
        Assert.That(ticks.Count, Is.LessThanOrEqualTo(10));
    }

    [Test]
    public void MarkersOnlyWhenPointsAreSparse()
    {
        Assert.That(PlotTicks.UseMarkers(12), Is.True);
        Assert.That(PlotTicks.UseMarkers(200), Is.False);
        Assert.That(PlotTicks.AllIntegers([1, 2, 3]), Is.True);
        Assert.That(PlotTicks.AllIntegers([0.1, 0.5]), Is.False);
    }

    [Test]
    public void LegendGoesToTheCornerWithTheLeastData()
    {
        // A falling loss curve: high at the left, low at the right; the upper right is empty.
        var falling = Enumerable.Range(0, 50).Select(i => ((double)i, 10.0 * Math.Exp(-i / 8.0))).ToList();
        Assert.That(PlotTicks.LegendCorner(falling, 0, 49, 0, 10), Is.EqualTo(Alignment.UpperRight));

        // A rising accuracy curve: the lower right is empty.
        var rising = Enumerable.Range(0, 50).Select(i => ((double)i, 1 - Math.Exp(-i / 8.0))).ToList();
        Assert.That(PlotTicks.LegendCorner(rising, 0, 49, 0, 1), Is.EqualTo(Alignment.LowerRight));
    }

    [Test]
    public void LinesWritesAPngWithABestEpochMark()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mtl-plot-{Guid.NewGuid():N}.png");
        try
        {
            double[] x = [1, 2, 3, 4, 5, 6];
            Plots.Lines(path, "t", "epoch", "loss", [new Series("a", x, [1, 0.3, 0.1, 0.05, 0.02, 0.03], 0, LinePattern.Solid)], logY: true, bestEpoch: 5);
            var bytes = File.ReadAllBytes(path);
            Assert.That(bytes.Take(4), Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
