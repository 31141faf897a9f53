using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Metrics;

namespace Mtl.Tests.Training.Metrics;

public class TaskMetricsTests
{
    [Test]
    public void RegressionReportUsesTheMaskAndInvertsTheTargetScaling()
    {
        var y = Tensor.FromArray<double>([10, 20, 30, 0], 4, 1);
        var target = TaskTarget<double>.Regression("y", y, Tensor.FromArray<double>([1, 1, 1, 0], 4));
        var scaler = new Standardizer<double>(1, [0], [20.0], [10.0]);

        // Standardised predictions -1, 0, 1.5 -> 10, 20, 35 in original units; the masked row is ignored.
        var z = Tensor.FromArray<double>([-1, 0, 1.5, 99], 4, 1);
        var r = TaskMetrics.Regression(target, z, scaler);
        Assert.That(r.Count, Is.EqualTo(3));
        Assert.That(r.Mse, Is.EqualTo(25.0 / 3).Within(1e-12));
        Assert.That(r.Mae, Is.EqualTo(5.0 / 3).Within(1e-12));
        Assert.That(r.R2, Is.EqualTo(1 - (25.0 / 200)).Within(1e-12));
    }

    [Test]
    public void BinaryClassificationReportRanksByTheLogitMargin()
    {
        var target = TaskTarget<float>.Classification("sex", [0, 1, 1, -1], ["female", "male"], Tensor.FromArray<float>([1, 1, 1, 0], 4));
        var logits = Tensor.FromArray<float>([2, 0, 0, 1, 1, 0, 0, 0], 4, 2);
        var r = TaskMetrics.Classification(target, logits);
        Assert.That(r.Count, Is.EqualTo(3));
        Assert.That(r.Accuracy, Is.EqualTo(2.0 / 3).Within(1e-12));

        // Margins z1 − z0: -2 (neg), 1 (pos), -1 (pos): both positives outrank the negative.
        Assert.That(r.RocAuc, Is.EqualTo(1.0));

        // F1: class 0 TP 1, FP 1 -> 2/3; class 1 TP 1, FN 1 -> 2/3.
        Assert.That(r.MacroF1, Is.EqualTo(2.0 / 3).Within(1e-12));
    }

    [Test]
    public void MulticlassReportHasNoAuc()
    {
        var target = TaskTarget<float>.Classification("k", [0, 1, 2], ["a", "b", "c"], Tensor.Ones<float>(3));
        var logits = Tensor.FromArray<float>([1, 0, 0, 0, 1, 0, 0, 0, 1], 3, 3);
        var r = TaskMetrics.Classification(target, logits);
        Assert.That(r.Accuracy, Is.EqualTo(1.0));
        Assert.That(r.RocAuc, Is.NaN);
        Assert.That(() => TaskMetrics.Classification(target, Tensor.Zeros<float>(3, 2)), Throws.ArgumentException);
    }
}
