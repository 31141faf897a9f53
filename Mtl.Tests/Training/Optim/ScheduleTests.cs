using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Tests.Training.Optim.Golden;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;

namespace Mtl.Tests.Training.Optim;

/// <summary>Learning rates per epoch against PyTorch's schedulers (Golden/optim_goldens.py, base lr 0.5).</summary>
public class ScheduleTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new StepLR(3, 0.1), OptimGoldens.LrStepLR_3_0_1).SetName("StepLR(3, 0.1)");
        yield return new TestCaseData(new CosineAnnealingLR(10, 0.001), OptimGoldens.LrCosine_10_0_001).SetName("Cosine(10, 0.001) past T_max");
        yield return new TestCaseData(new LinearWarmup(4, 0.1), OptimGoldens.LrWarmup_4_0_1).SetName("LinearLR(0.1, 4) then constant");
        yield return new TestCaseData(new LinearWarmup(2, 0.25, new StepLR(2, 0.5)), OptimGoldens.LrWarmup_2_0_25_StepLR_2_0_5).SetName("SequentialLR(LinearLR, StepLR)");
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorch(ILearningRateSchedule schedule, double[] expected)
    {
        var p = Var<double>.Parameter(Tensor.Zeros<double>(1));
        var optimizer = new Sgd<double>([new("p", p)], new SgdOptions { LearningRate = 0.5 });
        var scheduler = new LearningRateScheduler<double>(optimizer, schedule);
        for (int epoch = 0; epoch < expected.Length; epoch++)
        {
            Assert.That(optimizer.Groups[0].LearningRate, Is.EqualTo(expected[epoch]).Within((1e-12 * expected[epoch]) + 1e-15), $"epoch {epoch}");
            scheduler.Step();
        }
    }

    [Test]
    public void EachGroupScalesFromItsOwnInitialRate()
    {
        var a = Var<double>.Parameter(Tensor.Zeros<double>(1));
        var b = Var<double>.Parameter(Tensor.Zeros<double>(1));
        var optimizer = new Sgd<double>(
        [
            new ParameterGroup<double, SgdOptions>([new("shared.0.weight", a)], new SgdOptions { LearningRate = 0.01 }),
            new ParameterGroup<double, SgdOptions>([new("heads.x.weight", b)], new SgdOptions { LearningRate = 0.1 }),
        ]);
        var scheduler = new LearningRateScheduler<double>(optimizer, new StepLR(1, 0.5));
        scheduler.Step();
        scheduler.Step();
        Assert.That(optimizer.Groups[0].LearningRate, Is.EqualTo(0.0025));
        Assert.That(optimizer.Groups[1].LearningRate, Is.EqualTo(0.025));
        Assert.That(optimizer.Groups[0].InitialLearningRate, Is.EqualTo(0.01));
    }

    [Test]
    public void ResumingAtAnEpochGivesTheSameRates()
    {
        var schedule = new LinearWarmup(3, 0.2, new CosineAnnealingLR(7, 0.01));
        for (long epoch = 0; epoch < 15; epoch++)
        {
            var p = Var<double>.Parameter(Tensor.Zeros<double>(1));
            var optimizer = new Sgd<double>([new("p", p)], new SgdOptions { LearningRate = 0.3 });
            _ = new LearningRateScheduler<double>(optimizer, schedule, epoch);
            Assert.That(optimizer.Groups[0].LearningRate, Is.EqualTo(schedule.LearningRate(0.3, epoch)));
        }
    }

    [Test]
    public void InvalidArgumentsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new StepLR(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new StepLR(2, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new CosineAnnealingLR(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LinearWarmup(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LinearWarmup(3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LinearWarmup(3, 1.5));
    }
}
