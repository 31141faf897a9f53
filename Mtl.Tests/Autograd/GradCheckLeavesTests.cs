using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Autograd;

/// <summary>GradCheck over existing leaves (a module's own parameters).</summary>
public class GradCheckLeavesTests
{
    [Test]
    public void ChecksExistingLeavesAndLeavesTheirGradientsAsTheyWere()
    {
        var w = Var<double>.Parameter(Tensor.RandomNormal<double>(1, 3, 2), "w");
        var x = Var<double>.Parameter(Tensor.RandomNormal<double>(2, 4, 2), "x");
        (w.Sum() * 3.0).Backward();
        var before = w.Grad!.ToArray();
        var data = w.Data.ToArray();

        var report = GradCheck.Run(() => x.MatMulTransposeB(w).Tanh(), [x, w]);

        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Inputs.Select(i => i.Name), Is.EqualTo(new[] { "x", "w" }));
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(before));
        Assert.That(x.Grad!.ToArray(), Is.All.EqualTo(0.0));
        Assert.That(w.Data.ToArray(), Is.EqualTo(data));
    }

    [Test]
    public void AWrongGradientOfALeafIsCaught()
    {
        var w = Var<double>.Parameter(Tensor.RandomNormal<double>(3, 5));
        using var hook = w.RegisterHook(g => Tensor.FromArray(g.ToArray().Select(v => v * 1.5).ToArray(), 5));
        var report = GradCheck.Run(() => w.Square().Sum(), [w]);
        Assert.That(report.Passed, Is.False);
    }

    [Test]
    public void RejectsValuesThatAreNotTrainableLeaves()
    {
        var c = Var<double>.Constant(Tensor.Zeros<double>(2));
        var p = Var<double>.Parameter(Tensor.Zeros<double>(2));
        Assert.Throws<ArgumentException>(() => GradCheck.Run(() => c.Sum(), [c]));
        Assert.Throws<ArgumentException>(() => GradCheck.Run(() => p.Sum(), [p, p]));
    }
}
