using Mtl.Training.Metrics;

namespace Mtl.Tests.Training.Metrics;

public class DeltaMTests
{
    /// <summary>By hand: task a's MAE 0.9 against 1.0 is a 10 % improvement (lower is better); task b has accuracy
    /// 0.8 against 0.9 (−11.11 %) and R² 0.5 against 0.4 (+25 %), averaging +6.94 %; Δm = (10 + 6.944…)/2.</summary>
    [Test]
    public void ItAveragesMetricsWithinATaskThenOverTasksWithTheirDirections()
    {
        double d = DeltaM.Percent([
            new("a", 0.9, 1.0, HigherIsBetter: false),
            new("b", 0.8, 0.9, HigherIsBetter: true),
            new("b", 0.5, 0.4, HigherIsBetter: true)]);
        double b = ((0.8 - 0.9) / 0.9 + (0.5 - 0.4) / 0.4) / 2;
        Assert.That(d, Is.EqualTo((0.1 + b) / 2 * 100).Within(1e-12));
        Assert.That(d, Is.EqualTo(8.4722222222222).Within(1e-9));
    }

    [Test]
    public void AWorseModelHasANegativeDeltaAndAZeroBaselineIsRejected()
    {
        Assert.That(DeltaM.Percent([new("a", 1.2, 1.0, false)]), Is.EqualTo(-20).Within(1e-12));
        Assert.That(() => DeltaM.Percent([new("a", 1.2, 0.0, false)]), Throws.ArgumentException.With.Message.Contains("task 'a'"));
        Assert.That(() => DeltaM.Percent([]), Throws.ArgumentException);
    }
}
