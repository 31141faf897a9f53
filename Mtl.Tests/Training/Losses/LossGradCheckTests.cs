using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Training.Losses;

/// <summary>Every loss gradchecked in float64 (torch's tolerances), without a mask, with a 0/1 mask and with weights.</summary>
public class LossGradCheckTests
{
    private static IEnumerable<LossCases.Case> Cases() => LossCases.All();

    [TestCaseSource(nameof(Cases))]
    public void WithoutMask(LossCases.Case c) => Check(c, null);

    [TestCaseSource(nameof(Cases))]
    public void WithZeroOneMask(LossCases.Case c) => Check(c, Tensor.FromArray<double>([1.0, 0, 1, 1, 0]));

    [TestCaseSource(nameof(Cases))]
    public void WithWeights(LossCases.Case c) => Check(c, Tensor.FromArray<double>([0.5, 0, 2, 1, 3]));

    [Test]
    public void BceAtZeroLogitsMatchesFiniteDifferences()
    {
        // The smooth derivative σ(0) − t = ½ − t: a max/abs composition would give −t here and fail.
        var t = Tensor.FromArray<double>([0.0, 1.0, 0.3, 0.8], 4, 1);
        GradCheck.Assert(v => new Mtl.Training.Losses.BceWithLogitsLoss<double>().Compute(v[0], t), [Tensor.Zeros<double>(4, 1)]);
    }

    private static void Check(LossCases.Case c, Tensor<double>? mask)
    {
        var r = new SeededRandom(7);
        var prediction = c.MakePrediction(r);
        var target = c.Target(r);
        GradCheck.Assert(v => c.Loss.Compute(v[0], target, mask), [prediction]);
    }
}
