using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Metrics;

namespace Mtl.Tests.Training.Metrics;

public class TaskRelationsTests
{
    /// <summary>By hand: a = [1, 2, 3, 4], b = [2, 4, 5, 9] on all rows; c = [4, 3, 2, 1] masked on row 3. r(a, b):
    /// means 2.5 and 5, Σ(a−ā)(b−b̄) = 4.5 + 0.5 + 0 + 6 = 11, Σ(a−ā)² = 5, Σ(b−b̄)² = 26, r = 11/√130. r(a, c) on rows 0..2 = −1.
    /// A three-class task has no single-number correlation.</summary>
    [Test]
    public void LabelCorrelationIsPearsonOnTheRowsLabelledForBoth()
    {
        var data = new MultiTaskDataset<double>(new Tensor<double>(4, 1), ["x"], [], [], [
            TaskTarget<double>.Regression("a", Tensor.FromArray<double>([1.0, 2, 3, 4], 4), Tensor.Ones<double>(4)),
            TaskTarget<double>.Regression("b", Tensor.FromArray<double>([2.0, 4, 5, 9], 4), Tensor.Ones<double>(4)),
            TaskTarget<double>.Regression("c", Tensor.FromArray<double>([4.0, 3, 2, 1], 4), Tensor.FromArray<double>([1.0, 1, 1, 0], 4)),
            TaskTarget<double>.Classification("k", [0, 1, 2, 0], ["x", "y", "z"], Tensor.Ones<double>(4))]);
        var r = TaskRelations.LabelCorrelation(data, ["a", "b", "c", "k"]);

        Assert.That(r.Values[0, 1], Is.EqualTo(11 / Math.Sqrt(130)).Within(1e-14));
        Assert.That(r.Values[1, 0], Is.EqualTo(r.Values[0, 1]));
        Assert.That(r.Values[0, 2], Is.EqualTo(-1).Within(1e-14));
        Assert.That(r.Values[0, 0], Is.EqualTo(1).Within(1e-14));
        Assert.That(double.IsNaN(r.Values[0, 3]), Is.True);
        Assert.That(new TaskRelations().Add(r).ToString(), Does.Contain("label correlation").And.Contain("–").And.Contain("0.000").Or.Contain("-1.000"));
    }

    [Test]
    public void CrossStitchRelationsAreTheUnitsAlphas()
    {
        var random = new SeededRandom(1);
        Sequential<double> Tower() => new(new Linear<double>(2, 3, random), new ReLU<double>(), new Linear<double>(3, 1, random));
        var model = new CrossStitchModel<double>([new("a", Tower()), new("b", Tower())], [2], selfWeight: 0.8);
        var alpha = TaskRelations.CrossStitch(model).Single();
        Assert.That(alpha.Values[0, 0], Is.EqualTo(0.8).Within(1e-15));
        Assert.That(alpha.Values[0, 1], Is.EqualTo(0.2).Within(1e-15));
        Assert.That(alpha.Rows, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void GateUsageRowsSumToOneAndMismatchedLabelsAreRejected()
    {
        var random = new SeededRandom(2);
        var model = new MixtureOfExpertsModel<double>(3, [new Linear<double>(3, 2, random), new Linear<double>(3, 2, random), new Linear<double>(3, 2, random)], random)
            .AddTask("a", new Linear<double>(2, 1, random)).AddTask("b", new Linear<double>(2, 1, random));
        var x = new Tensor<double>(5, 3);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.NextNormal();
        }

        var data = new MultiTaskDataset<double>(x, ["x0", "x1", "x2"], [], [], [TaskTarget<double>.Regression("a", new Tensor<double>(5, 1), Tensor.Ones<double>(5))]);
        var usage = TaskRelations.GateUsage(model, data);
        Assert.That(usage.Columns, Has.Count.EqualTo(3));
        for (int t = 0; t < 2; t++)
        {
            Assert.That(usage.Values[t, 0] + usage.Values[t, 1] + usage.Values[t, 2], Is.EqualTo(1).Within(1e-12));
        }

        Assert.That(() => new TaskRelations().Add(usage with { Rows = ["a"] }), Throws.ArgumentException.With.Message.Contains("MMoE gate usage"));
        Assert.That(TaskRelations.Format(0.00123), Is.EqualTo("1.23e-3"));
        Assert.That(TaskRelations.Format(-0.5), Is.EqualTo("-0.500"));
    }
}
