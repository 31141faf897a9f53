using Mtl.Tensors;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class SelectFeaturesTests
{
    [Test]
    public void ItKeepsTheNamedColumnsInOrderWithTheTargetsAndTheirScalers()
    {
        var x = Tensor.FromArray<double>([1.0, 2, 3, 4, 5, 6], 2, 3);
        var data = new MultiTaskDataset<double>(x, ["a", "b", "c"], [0, 2], [], [TaskTarget<double>.Regression("y", Tensor.FromArray<double>([1.0, 3], 2), Tensor.Ones<double>(2))]);
        var scaled = data.StandardizeTarget("y", data.FitTargetStandardizer("y"));

        var view = scaled.SelectFeatures("c", "a");
        Assert.That(view.Features.ToArray(), Is.EqualTo(new double[] { 3, 1, 6, 4 }));
        Assert.That(view.FeatureNames, Is.EqualTo(new[] { "c", "a" }));
        Assert.That(view.ScalableColumns, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(view.Task("y").Values!.ToArray(), Is.EqualTo(scaled.Task("y").Values!.ToArray()));
        Assert.That(view.TargetScalers.Keys, Is.EqualTo(new[] { "y" }));

        Assert.That(() => data.SelectFeatures("a", "z"), Throws.ArgumentException.With.Message.Contains("'z' is not a feature"));
        Assert.That(() => data.SelectFeatures("a", "a"), Throws.ArgumentException.With.Message.Contains("named twice"));
    }
}
