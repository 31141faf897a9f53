using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Autograd;

/// <summary>
/// ZeroGrad is deferred (the buffer is cleared when next read or added to, or overwritten by the first
/// op that writes the whole gradient): every way of looking at or adding to a gradient must still see zeros.
/// </summary>
public class ZeroGradTests
{
    private static Var<double> P(double[] values, int rows, int columns, string name) =>
        Var<double>.Parameter(Tensor.FromArray(values, rows, columns), name);

    [Test]
    public void AfterZeroGradTheNextBackwardGivesOnlyItsOwnGradient()
    {
        var x = Var<double>.Constant(Tensor.FromArray([1.0, 2.0, -1.0, 0.5], 2, 2));
        var w = P([0.3, -0.2, 0.1, 0.4], 2, 2, "w");
        var b = Var<double>.Parameter(Tensor.FromArray([0.1, -0.1]), "b");

        Ops.Linear(x, w, b).Sum().Backward();
        var first = w.Grad!.ToArray();
        var firstBias = b.Grad!.ToArray();
        Ops.Linear(x, w, b).Sum().Backward();
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(first.Select(g => 2 * g).ToArray()), "without ZeroGrad, passes add up");

        w.ZeroGrad();
        b.ZeroGrad();
        Ops.Linear(x, w, b).Sum().Backward();
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(first), "the linear op overwrote the stale weight gradient");
        Assert.That(b.Grad!.ToArray(), Is.EqualTo(firstBias), "and the stale bias gradient");
    }

    [Test]
    public void AZeroedGradientReadsAsZerosAndAccumulatingOpsStartFromZero()
    {
        var w = P([1.0, 2.0, 3.0, 4.0], 2, 2, "w");
        (w * 3.0).Sum().Backward();
        var buffer = w.Grad!;
        w.ZeroGrad();
        Assert.That(w.Grad!.ToArray(), Is.All.Zero);
        Assert.That(w.Grad, Is.SameAs(buffer), "the buffer is kept");

        w.ZeroGrad();
        (w * 2.0).Sum().Backward(); // mul accumulates: it must start from the cleared buffer
        Assert.That(w.Grad!.ToArray(), Is.All.EqualTo(2.0));
    }

    [Test]
    public void StatisticsAndHooksSeeTheZeroedGradient()
    {
        var w = P([1.0, -2.0], 1, 2, "w");
        (w * 5.0).Sum().Backward();
        w.ZeroGrad();
        Assert.That(w.GradStats()!.Value.Max, Is.Zero);

        using (w.RegisterHook(_ => null))
        {
            (w * 2.0).Sum().Backward(); // a hooked leaf's pass gradient is flushed into the accumulated one
        }

        Assert.That(w.Grad!.ToArray(), Is.All.EqualTo(2.0));
    }

    [Test]
    public void AWeightUsedByTwoLinearOpsGetsBothContributionsAfterZeroGrad()
    {
        var x = Var<double>.Constant(Tensor.FromArray([1.0, 2.0, 3.0, 4.0], 2, 2));
        var w = P([0.5, -1.0, 2.0, 0.25], 2, 2, "w");
        Ops.Linear(x, w).Sum().Backward();
        var once = w.Grad!.ToArray();

        w.ZeroGrad();
        (Ops.Linear(x, w) + Ops.Linear(x, w)).Sum().Backward(); // first overwrites, second adds
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(once.Select(g => 2 * g).ToArray()));
    }

    /// <summary>PyTorch's <c>x.grad = t</c>: a leaf's gradient set to the caller's tensor is accumulated into in
    /// place, zeroed lazily like its own, and never taken back by the tape.</summary>
    [Test]
    public void ASetGradientIsTheBufferBackwardWritesInto()
    {
        var w = P([1.0, 2.0, 3.0, 4.0], 2, 2, "w");
        var mine = Tensor.FromArray([10.0, 10.0, 10.0, 10.0], 2, 2);
        w.Grad = mine;
        (w * 3.0).Sum().Backward();
        Assert.That(w.Grad, Is.SameAs(mine));
        Assert.That(mine.ToArray(), Is.All.EqualTo(13.0), "accumulated onto what the tensor held");

        w.ZeroGrad();
        var x = Var<double>.Constant(Tensor.FromArray([1.0, 0.0, 0.0, 1.0], 2, 2));
        Ops.Linear(x, w).Sum().Backward(); // the linear op overwrites its weight gradient
        Assert.That(mine.ToArray(), Is.EqualTo(new[] { 1.0, 1.0, 1.0, 1.0 }), "the next pass after ZeroGrad starts from zero");

        w.ZeroGrad();
        Assert.That(w.Grad!.ToArray(), Is.All.Zero, "a pending zeroing is carried out on read");
        Assert.That(mine.ToArray(), Is.All.Zero);

        w.Grad = null;
        (w * 2.0).Sum().Backward();
        Assert.That(w.Grad, Is.Not.SameAs(mine));
        Assert.That(w.Grad!.ToArray(), Is.All.EqualTo(2.0));
        Assert.That(mine.ToArray(), Is.All.Zero, "a released buffer is left alone");
    }

    [Test]
    public void SettingAGradientChecksTheLeafAndTheShape()
    {
        var w = P([1.0, 2.0, 3.0, 4.0], 2, 2, "w");
        var error = Assert.Throws<ArgumentException>(() => w.Grad = new Tensor<double>(4));
        Assert.That(error!.Message, Does.Contain("[4]").And.Contain("[2, 2]"));
        var y = w * 2.0;
        var thrown = Assert.Throws<InvalidOperationException>(() => y.Grad = new Tensor<double>(2, 2));
        Assert.That(thrown!.Message, Does.Contain("only a leaf"));
        Tape.Current.Release();
    }
}
