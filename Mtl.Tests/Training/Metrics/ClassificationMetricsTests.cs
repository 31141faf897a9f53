using Mtl.Tensors;
using Mtl.Training.Metrics;

namespace Mtl.Tests.Training.Metrics;

public class ClassificationMetricsTests
{
    private static readonly int[] Target = [0, 0, 0, 1, 1, 2, 2, 2, 2];
    private static readonly int[] Predicted = [0, 1, 0, 1, 2, 2, 2, 0, 2];

    [Test]
    public void AccuracyCountsMatches()
    {
        Assert.That(ClassificationMetrics.Accuracy<float>(Predicted, Target), Is.EqualTo(6.0 / 9).Within(1e-15));
        Assert.That(ClassificationMetrics.Accuracy(Predicted, Target), Is.EqualTo(6.0 / 9).Within(1e-15), "the mask-free overload");
    }

    [Test]
    public void MacroF1OfAThreeClassConfusionByHand()
    {
        // Confusion (rows true, columns predicted): [[2,1,0],[0,1,1],[1,0,3]].
        // Class 0: TP 2, FP 1, FN 1 -> F1 = 4/6. Class 1: TP 1, FP 1, FN 1 -> 2/4. Class 2: TP 3, FP 1, FN 1 -> 6/8.
        // sklearn.metrics.f1_score(Target, Predicted, average="macro") = (2/3 + 1/2 + 3/4) / 3 = 0.638888...
        var m = ClassificationMetrics.Confusion(Predicted, Target, 3);
        Assert.That(m, Is.EqualTo(new long[,] { { 2, 1, 0 }, { 0, 1, 1 }, { 1, 0, 3 } }));
        Assert.That(ClassificationMetrics.MacroF1(Predicted, Target, 3), Is.EqualTo(((2.0 / 3) + 0.5 + 0.75) / 3).Within(1e-15));
    }

    [Test]
    public void MacroF1AveragesOnlyOverClassesThatOccur()
    {
        // Class 3 of 4 never occurs in targets or predictions: sklearn's default labels leave it out.
        Assert.That(ClassificationMetrics.MacroF1<float>(Predicted, Target, 4), Is.EqualTo(((2.0 / 3) + 0.5 + 0.75) / 3).Within(1e-15));

        // Class 1 predicted but never true: F1 = 0 and it counts. Class 0: TP 1, FN 1 -> 2/3.
        Assert.That(ClassificationMetrics.MacroF1<float>([0, 1], [0, 0], 2), Is.EqualTo(((2.0 / 3) + 0) / 2).Within(1e-15));
    }

    [Test]
    public void MasksRemoveRows()
    {
        // Dropping rows 1, 4 and 7 (the three mistakes on classes 0 and 2, and the 1→2 error) leaves all correct.
        float[] mask = [1, 0, 1, 1, 0, 1, 1, 0, 1];
        Assert.That(ClassificationMetrics.Accuracy<float>(Predicted, Target, mask), Is.EqualTo(1.0));
        Assert.That(ClassificationMetrics.MacroF1<float>(Predicted, Target, 3, mask), Is.EqualTo(1.0));
        Assert.That(ClassificationMetrics.Accuracy<float>(Predicted, Target, new float[9]), Is.NaN);
    }

    [Test]
    public void MaskedRowsMayHoldTheMissingLabelMinusOne()
    {
        Assert.That(ClassificationMetrics.MacroF1<float>([0, 1, 1], [0, -1, 1], 2, [1f, 0f, 1f]), Is.EqualTo(1.0));
        Assert.That(() => ClassificationMetrics.MacroF1<float>([0, 1, 1], [0, -1, 1], 2), Throws.ArgumentException.With.Message.Contain("row 1"));
    }

    [Test]
    public void ArgMaxTakesTheFirstOfTiedMaxima()
    {
        var logits = Tensor.FromArray<float>([0f, 2f, 1f, 5f, 5f, -1f], 2, 3);
        Assert.That(ClassificationMetrics.ArgMax(logits), Is.EqualTo(new[] { 1, 0 }));
    }
}
