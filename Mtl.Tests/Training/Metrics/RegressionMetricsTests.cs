using Mtl.Training.Metrics;

namespace Mtl.Tests.Training.Metrics;

public class RegressionMetricsTests
{
    // Errors ŷ − y = [0.5, -0.5, 0, -1].
    private static readonly double[] Y = [3, 5, 7, 4];
    private static readonly double[] P = [3.5, 4.5, 7, 3];

    [Test]
    public void HandComputedValues()
    {
        // MSE = (0.25 + 0.25 + 0 + 1) / 4 = 0.375; MAE = (0.5 + 0.5 + 0 + 1) / 4 = 0.5.
        Assert.That(RegressionMetrics.Mse<double>(P, Y), Is.EqualTo(0.375).Within(1e-15));
        Assert.That(RegressionMetrics.Rmse<double>(P, Y), Is.EqualTo(Math.Sqrt(0.375)).Within(1e-15));
        Assert.That(RegressionMetrics.Mae<double>(P, Y), Is.EqualTo(0.5).Within(1e-15));

        // ȳ = 19/4 = 4.75; SS_tot = 3.0625 + 0.0625 + 5.0625 + 0.5625 = 8.75; SS_res = 1.5; R² = 1 − 1.5/8.75.
        Assert.That(RegressionMetrics.R2<double>(P, Y), Is.EqualTo(1 - (1.5 / 8.75)).Within(1e-15));
    }

    [Test]
    public void MaskedRowsAreIgnored()
    {
        double[] mask = [1, 1, 1, 0];
        double[] wildP = [3.5, 4.5, 7, 1e6];

        // Rows 0..2 only: MSE = 0.5/3, MAE = 1/3; ȳ = 5, SS_tot = 4 + 0 + 4 = 8, R² = 1 − 0.5/8.
        Assert.That(RegressionMetrics.Mse<double>(wildP, Y, mask), Is.EqualTo(0.5 / 3).Within(1e-15));
        Assert.That(RegressionMetrics.Mae<double>(wildP, Y, mask), Is.EqualTo(1.0 / 3).Within(1e-15));
        Assert.That(RegressionMetrics.R2<double>(wildP, Y, mask), Is.EqualTo(1 - (0.5 / 8)).Within(1e-15));
    }

    [Test]
    public void DegenerateInputsGiveNaN()
    {
        Assert.That(RegressionMetrics.R2<double>([1, 2, 3], [2, 2, 2]), Is.NaN, "constant targets");
        Assert.That(RegressionMetrics.R2<double>([2, 2], [2, 2]), Is.NaN, "even a perfect fit of constant targets");
        Assert.That(RegressionMetrics.Mse<float>([1f, 2f], [1f, 2f], [0f, 0f]), Is.NaN, "no row kept");
        Assert.That(RegressionMetrics.Mae<float>([], []), Is.NaN);
    }

    [Test]
    public void MismatchedLengthsAreErrors()
    {
        Assert.That(() => RegressionMetrics.Mse<double>([1, 2], [1]), Throws.ArgumentException);
        Assert.That(() => RegressionMetrics.Mse<double>([1, 2], [1, 2], [1]), Throws.ArgumentException.With.Message.Contain("mask"));
    }

    [Test]
    public void PerfectPredictionScoresOne()
    {
        Assert.That(RegressionMetrics.R2<double>(Y, Y), Is.EqualTo(1.0));
        Assert.That(RegressionMetrics.Mse<double>(Y, Y), Is.Zero);
    }
}
