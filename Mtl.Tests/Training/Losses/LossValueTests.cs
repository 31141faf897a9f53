using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Losses;

/// <summary>Loss values against hand-computed references, and the shape rules.</summary>
public class LossValueTests
{
    private static Var<double> Column(params double[] v) => Var<double>.Parameter(Tensor.FromArray<double>(v, v.Length, 1));

    private static Tensor<double> Vector(params double[] v) => Tensor.FromArray<double>(v);

    [Test]
    public void MseIsTheMeanOfSquaredErrors()
    {
        // (1−0)², (2−4)², (−1−−1)²: (1 + 4 + 0)/3.
        var l = new MseLoss<double>().Compute(Column(1, 2, -1), Vector(0, 4, -1));
        Assert.That(l.Item(), Is.EqualTo(5.0 / 3).Within(1e-15));
    }

    [Test]
    public void L1IsTheMeanAbsoluteErrorWithZeroGradientAtZero()
    {
        var p = Column(1, 2, -1);
        var l = new L1Loss<double>().Compute(p, Vector(0, 4, -1));
        l.Backward();
        Assert.That(l.Item(), Is.EqualTo(1.0).Within(1e-15));
        Assert.That(p.Grad!.ToArray(), Is.EqualTo(new[] { 1.0 / 3, -1.0 / 3, 0.0 }).Within(1e-15));
    }

    [Test]
    public void HuberIsQuadraticInsideAndLinearOutside()
    {
        // δ = 2: d = 1 → ½; d = −3 → 2·(3 − 1) = 4; d = 2 (the seam) → ½·4 = 2·(2 − 1) = 2.
        var l = new HuberLoss<double>(2.0, LossReduction.Sum).Compute(Column(1, -3, 2), Vector(0, 0, 0));
        Assert.That(l.Item(), Is.EqualTo(0.5 + 4 + 2).Within(1e-15));
    }

    [Test]
    public void BceIsStableForLargeLogits()
    {
        // x = 1000, t = 0: softplus(1000) = 1000 exactly; x = −1000, t = 1: −1000·1 subtracted → 1000.
        var x = Var<double>.Parameter(Tensor.FromArray<double>([1000.0, -1000.0], 2, 1));
        var l = new BceWithLogitsLoss<double>(reduction: LossReduction.Sum).Compute(x, Tensor.FromArray<double>([0.0, 1.0], 2, 1));
        l.Backward();
        Assert.That(l.Item(), Is.EqualTo(2000.0));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 1.0, -1.0 }));
    }

    [Test]
    public void BceGradientAtZeroLogitIsHalfMinusTarget()
    {
        var x = Var<double>.Parameter(Tensor.Zeros<double>(3, 1));
        var l = new BceWithLogitsLoss<double>(reduction: LossReduction.Sum).Compute(x, Tensor.FromArray<double>([0.0, 1.0, 0.25], 3, 1));
        l.Backward();
        Assert.That(l.Item(), Is.EqualTo(3 * Math.Log(2)).Within(1e-15));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 0.5, -0.5, 0.25 }).Within(1e-15));
    }

    [Test]
    public void CrossEntropyOfUniformLogitsIsLogC()
    {
        var l = new CrossEntropyLoss<double>().Compute(Var<double>.Parameter(Tensor.Zeros<double>(2, 4)), [0, 3]);
        Assert.That(l.Item(), Is.EqualTo(Math.Log(4)).Within(1e-15));
    }

    [Test]
    public void SumReductionIsMeanTimesCount()
    {
        var mean = new MseLoss<double>().Compute(Column(1, 2, -1), Vector(0, 4, 0)).Item();
        var sum = new MseLoss<double>(LossReduction.Sum).Compute(Column(1, 2, -1), Vector(0, 4, 0)).Item();
        Assert.That(sum, Is.EqualTo(3 * mean).Within(1e-14));
    }

    [Test]
    public void ColumnPredictionAcceptsVectorOrColumnTargetAlike()
    {
        var a = new MseLoss<double>().Compute(Column(1, 2, 3), Vector(0, 1, 1)).Item();
        var b = new MseLoss<double>().Compute(Column(1, 2, 3), Tensor.FromArray<double>([0.0, 1, 1], 3, 1)).Item();
        var c = new MseLoss<double>().Compute(Var<double>.Parameter(Vector(1, 2, 3)), Tensor.FromArray<double>([0.0, 1, 1], 3, 1)).Item();
        Assert.That(a, Is.EqualTo(2.0));
        Assert.That(b, Is.EqualTo(2.0));
        Assert.That(c, Is.EqualTo(2.0));
    }

    [Test]
    public void MismatchedShapesThrowNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(Column(1, 2, 3), Vector(0, 1)));
        Assert.That(ex!.Message, Does.Contain("[3, 1]").And.Contain("[2]"));
        ex = Assert.Throws<ArgumentException>(() => new HuberLoss<double>().Compute(Var<double>.Parameter(Tensor.Zeros<double>(3, 2)), Vector(0, 1, 2)));
        Assert.That(ex!.Message, Does.Contain("[3, 2]").And.Contain("[3]"));
    }

    [Test]
    public void NonFiniteTargetOnAnUnmaskedRowThrowsNamingTheRow()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(Column(1, 2, 3), Vector(0, double.NaN, 1)));
        Assert.That(ex!.Message, Does.Contain("row 1"));
        ex = Assert.Throws<ArgumentException>(() => new L1Loss<double>().Compute(Column(1, 2, 3), Vector(0, 1, double.PositiveInfinity)));
        Assert.That(ex!.Message, Does.Contain("row 2"));
    }

    [Test]
    public void BceTargetOutsideZeroOneThrows()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BceWithLogitsLoss<double>().Compute(Column(1, 2), Vector(0, 1.5)));
        Assert.That(ex!.Message, Does.Contain("row 1"));
    }

    [Test]
    public void CrossEntropyLabelOutOfRangeThrowsNamingTheRow()
    {
        var x = Var<double>.Parameter(Tensor.Zeros<double>(3, 4));
        var ex = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss<double>().Compute(x, [0, 4, 1]));
        Assert.That(ex!.Message, Does.Contain("row 1"));
        ex = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss<double>().Compute(x, [0, 1, -1]));
        Assert.That(ex!.Message, Does.Contain("row 2"));
        ex = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss<double>().Compute(x, Vector(0, 1.5, 2)));
        Assert.That(ex!.Message, Does.Contain("row 1"));
        ex = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss<double>().Compute(x, Vector(double.NaN, 1, 2)));
        Assert.That(ex!.Message, Does.Contain("row 0"));
    }

    [Test]
    public void InvalidMasksAndHyperParametersThrow()
    {
        Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(Column(1, 2), Vector(0, 1), Vector(1, -1)));
        Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(Column(1, 2), Vector(0, 1), Vector(1, 1, 1)));
        Assert.Throws<ArgumentException>(() => new MseLoss<double>().Compute(Column(1, 2), Vector(0, 1), Vector(double.NaN, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new HuberLoss<double>(0));
        Assert.Throws<ArgumentException>(() => _ = new BceWithLogitsLoss<double>(Vector(1, 0)));
    }

    [Test]
    public void FloatLossesMatchDouble()
    {
        double[] p = [0.3, -1.7, 2.5, 0.05, -0.4], t = [0.1, 0.2, -0.6, 0.05, 1.9];
        var d = new HuberLoss<double>().Compute(Var<double>.Parameter(Tensor.FromArray<double>(p, 5, 1)), Tensor.FromArray<double>(t)).Item();
        var f = new HuberLoss<float>().Compute(
            Var<float>.Parameter(Tensor.FromArray<float>(p.Select(v => (float)v).ToArray(), 5, 1)),
            Tensor.FromArray<float>(t.Select(v => (float)v).ToArray())).Item();
        Assert.That(f, Is.EqualTo(d).Within(1e-6));
    }
}
