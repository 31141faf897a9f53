using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Training.Losses;

/// <summary>A masked row contributes nothing; the mean is over unmasked rows; an all-masked batch gives 0.</summary>
public class LossMaskTests
{
    private static IEnumerable<LossCases.Case> Cases() => LossCases.All();

    private static (double Value, double[] Grad) Run(LossCases.Case c, Tensor<double> prediction, Tensor<double> target, Tensor<double>? mask)
    {
        var p = Var<double>.Parameter(prediction.Clone());
        var l = c.Loss.Compute(p, target, mask);
        l.Backward();
        return (l.Item(), p.Grad?.ToArray() ?? new double[prediction.Length]);
    }

    [TestCaseSource(nameof(Cases))]
    public void MaskedRowsChangeNeitherLossNorGradient(LossCases.Case c)
    {
        var r = new SeededRandom(3);
        var prediction = c.MakePrediction(r);
        var target = c.Target(r);
        var mask = Tensor.FromArray<double>([1.0, 0, 2, 1, 0]);
        var (value, grad) = Run(c, prediction, target, mask);

        // Rows 1 and 4: NaN targets (missing labels) and wild or NaN predictions.
        var target2 = target.Clone();
        var prediction2 = prediction.Clone();
        int perRow = target.Length / LossCases.Rows, width = c.Width;
        foreach (int row in new[] { 1, 4 })
        {
            target2.Span.Slice(row * perRow, perRow).Fill(double.NaN);
            prediction2.Span.Slice(row * width, width).Fill(row == 1 ? 1e9 : double.NaN);
        }

        var (value2, grad2) = Run(c, prediction2, target2, mask);
        Assert.That(value2, Is.EqualTo(value));
        Assert.That(grad2, Is.EqualTo(grad));
        foreach (int row in new[] { 1, 4 })
        {
            Assert.That(grad.AsSpan(row * width, width).ToArray(), Is.All.EqualTo(0.0));
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void ZeroOneMaskEqualsTheLossOfTheUnmaskedRowsAlone(LossCases.Case c)
    {
        var r = new SeededRandom(5);
        var prediction = c.MakePrediction(r);
        var target = c.Target(r);
        var (masked, _) = Run(c, prediction, target, Tensor.FromArray<double>([1.0, 0, 1, 1, 0]));
        int[] kept = [0, 2, 3];
        var (subset, _) = Run(c, Tensor.Gather(prediction, kept), Tensor.Gather(target, kept), null);
        Assert.That(masked, Is.EqualTo(subset).Within(1e-14));
    }

    [TestCaseSource(nameof(Cases))]
    public void WeightsGiveTheWeightedMeanOfRowLosses(LossCases.Case c)
    {
        var r = new SeededRandom(9);
        var prediction = c.MakePrediction(r);
        var target = c.Target(r);
        double[] w = [0.5, 0, 2, 1, 3];
        var (weighted, _) = Run(c, prediction, target, Tensor.FromArray<double>(w));

        // Reference: each row's own loss (mean over its elements, or sum), combined by weight.
        double total = 0;
        for (int i = 0; i < w.Length; i++)
        {
            if (w[i] != 0)
            {
                total += w[i] * Run(c, Tensor.Gather(prediction, [i]), Tensor.Gather(target, [i]), null).Value;
            }
        }

        double expected = c.Loss.Reduction == Mtl.Training.Losses.LossReduction.Mean ? total / w.Sum() : total;
        Assert.That(weighted, Is.EqualTo(expected).Within(1e-13));
    }

    [TestCaseSource(nameof(Cases))]
    public void AllMaskedGivesZeroAndZeroGradient(LossCases.Case c)
    {
        var r = new SeededRandom(11);
        var prediction = c.MakePrediction(r);
        var target = c.Target(r);
        target.Span.Fill(double.NaN);
        var (value, grad) = Run(c, prediction, target, Tensor.Zeros<double>(LossCases.Rows));
        Assert.That(value, Is.Zero);
        Assert.That(grad, Is.All.EqualTo(0.0));
    }
}
