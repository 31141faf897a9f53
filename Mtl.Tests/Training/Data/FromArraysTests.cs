using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

/// <summary>In-memory datasets without the full constructor, masks only where something is missing, readable predictions.</summary>
public class FromArraysTests
{
    [Test]
    public void RegressionTasksFromTuplesHaveFullMasksAndNamedColumns()
    {
        var x = Tensor.FromArray<float>([1, 2, 3, 4, 5, 6], 3, 2);
        var d = MultiTaskDataset.FromArrays(x, ("a", Tensor.FromArray<float>([1, 2, 3], 3)), ("b", Tensor.FromArray<float>([4, 5, 6], 3, 1)));
        Assert.That(d.Rows, Is.EqualTo(3));
        Assert.That(d.FeatureNames, Is.EqualTo(new[] { "x0", "x1" }));
        Assert.That(d.ScalableColumns, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(d.Task("a").Values!.Shape.ToArray(), Is.EqualTo(new[] { 3, 1 }));
        Assert.That(d.Task("b").PresentCount, Is.EqualTo(3));
    }

    [Test]
    public void NaNTargetIsMissingWithoutChangingTheCallersTensor()
    {
        var y = Tensor.FromArray<double>([1, double.NaN, 3], 3);
        var t = TaskTarget<double>.Regression("y", y);
        Assert.That(t.Mask.ToArray(), Is.EqualTo(new double[] { 1, 0, 1 }));
        Assert.That(t.Values!.ToArray(), Is.EqualTo(new double[] { 1, 0, 3 }));
        Assert.That(double.IsNaN(y[1]), Is.True);
        Assert.That(() => TaskTarget<double>.Regression("y", Tensor.FromArray<double>([double.PositiveInfinity], 1)), Throws.ArgumentException);
    }

    [Test]
    public void ClassificationWithMinusOneForMissingAndMixedTasks()
    {
        var x = Tensor.FromArray<float>([1, 2, 3], 3, 1);
        var d = MultiTaskDataset.FromArrays(x, ("k", new[] { 0, -1, 2 }, 3));
        Assert.That(d.Task("k").Mask.ToArray(), Is.EqualTo(new[] { 1f, 0f, 1f }));
        Assert.That(d.Task("k").ClassNames, Is.EqualTo(new[] { "0", "1", "2" }));
        Assert.That(() => MultiTaskDataset.FromArrays(x, ("k", new[] { 0, 3, 1 }, 3)), Throws.ArgumentException.With.Message.Contain("row 1"));
        Assert.That(() => TaskTarget<float>.Classification("k", [0, -2, 1], 3), Throws.ArgumentException.With.Message.Contain("-1"));

        var mixed = MultiTaskDataset.FromArrays(x, TaskTarget<float>.Regression("r", Tensor.FromArray<float>([1, 2, 3], 3)), TaskTarget<float>.Classification("c", [1, 0, 1], ["no", "yes"]));
        Assert.That(mixed.Tasks.Select(t => t.Kind), Is.EqualTo(new[] { TaskKind.Regression, TaskKind.Classification }));
        Assert.That(() => MultiTaskDataset.FromArrays(x, ("a", Tensor.FromArray<float>([1, 2], 2))), Throws.ArgumentException.With.Message.Contain("2 rows"));
    }

    [Test]
    public void StandardizedTargetsRecordTheirScalerAndRefuseASecondScaling()
    {
        var x = Tensor.FromArray<double>([1, 2, 3, 4], 4, 1);
        var d = MultiTaskDataset.FromArrays(x, ("y", Tensor.FromArray<double>([10, 20, 30, 40], 4)));
        var scaler = d.FitTargetStandardizer("y");
        var scaled = d.StandardizeTarget("y", scaler);
        Assert.That(scaled.TargetScalers.Keys, Is.EqualTo(new[] { "y" }));
        Assert.That(scaled.Subset([3, 0]).TargetScalers["y"], Is.SameAs(scaler));
        Assert.That(scaled.OriginalTarget("y").Values!.ToArray(), Is.EqualTo(new double[] { 10, 20, 30, 40 }).Within(1e-12));
        Assert.That(() => scaled.StandardizeTarget("y", scaler), Throws.InvalidOperationException.With.Message.Contain("already standardised"));
        Assert.That(scaled.WithTask(d.Task("y")).TargetScalers, Is.Empty, "replaced targets are not known to be scaled");
    }

    [Test]
    public void TaskPredictionsPrintTheirValuesAndNameMissingTasks()
    {
        var p = new TaskPredictions<float>(new Dictionary<string, Tensor<float>> { ["mass"] = Tensor.FromArray<float>([1.5f, 2], 2, 1) });
        Assert.That(p.ToString(), Is.EqualTo("TaskPredictions (1 task)\n  mass: Tensor<float32>[2, 1]\n    [[1.5],\n     [  2]]"));
        Assert.That(() => p["sex"], Throws.TypeOf<KeyNotFoundException>().With.Message.Contain("mass"));
    }
}
