using System.Globalization;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Checkpoints;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>
/// Training k steps, saving model and optimizer, loading both into a fresh model and optimizer and
/// continuing must give bit for bit the parameters of an uninterrupted run.
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ResumeTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Total = 7;
    private const int Interrupt = 3;

    private static readonly Tensor<T> _x = Tensor.RandomNormal<T>(11, 8, 3);
    private static readonly Tensor<T> _y = Tensor.RandomNormal<T>(12, 8, 2);

    private static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData((Func<TinyModel<T>, Optimizer<T>>)(m => new Sgd<T>(m.NamedParameters(), new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-3 }))).SetName("SGD Nesterov");
        yield return new TestCaseData((Func<TinyModel<T>, Optimizer<T>>)(m => new Adam<T>(m.NamedParameters(), new AdamOptions { LearningRate = 0.01, Amsgrad = true, WeightDecay = 1e-3 }))).SetName("Adam AMSGrad");
        yield return new TestCaseData((Func<TinyModel<T>, Optimizer<T>>)(m => new AdamW<T>(
        [
            new ParameterGroup<T, AdamOptions>(m.NamedParameters().Where(p => p.Key.StartsWith("shared.0.", StringComparison.Ordinal)), new AdamOptions { LearningRate = 0.002 }),
            new ParameterGroup<T, AdamOptions>(m.NamedParameters().Where(p => !p.Key.StartsWith("shared.0.", StringComparison.Ordinal)), AdamW<T>.DefaultOptions with { LearningRate = 0.02 }),
        ]))).SetName("AdamW two groups");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void ResumedRunEqualsUninterruptedRunBitwise(Func<TinyModel<T>, Optimizer<T>> makeOptimizer)
    {
        var schedule = new LinearWarmup(2, 0.5, new CosineAnnealingLR(5, 1e-4));

        var straight = new TinyModel<T>(seed: 1);
        var straightOptimizer = makeOptimizer(straight);
        var straightScheduler = new LearningRateScheduler<T>(straightOptimizer, schedule);
        Train(straight, straightOptimizer, straightScheduler, Total);

        using var dir = new TempDirectory();
        var first = new TinyModel<T>(seed: 1);
        var firstOptimizer = makeOptimizer(first);
        var firstScheduler = new LearningRateScheduler<T>(firstOptimizer, schedule);
        Train(first, firstOptimizer, firstScheduler, Interrupt);
        var epoch = new Dictionary<string, string> { ["epoch"] = firstScheduler.Epoch.ToString(CultureInfo.InvariantCulture) };
        Checkpoint.SaveModel(dir.File("model.safetensors"), first, epoch);
        Checkpoint.SaveOptimizer(dir.File("optim.safetensors"), firstOptimizer, epoch);

        var resumed = new TinyModel<T>(seed: 99);
        var resumedOptimizer = makeOptimizer(resumed);
        var metadata = Checkpoint.LoadModel(dir.File("model.safetensors"), resumed);
        Checkpoint.LoadOptimizer(dir.File("optim.safetensors"), resumedOptimizer);
        var resumedScheduler = new LearningRateScheduler<T>(resumedOptimizer, schedule, long.Parse(metadata["epoch"], CultureInfo.InvariantCulture));
        Train(resumed, resumedOptimizer, resumedScheduler, Total - Interrupt);

        var expected = straight.Tensors();
        var actual = resumed.Tensors();
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.That(actual[i].Value.ContentEquals(expected[i].Value), $"{expected[i].Key} differs after resuming");
        }

        for (int i = 0; i < straightOptimizer.NamedParameters.Count; i++)
        {
            var a = straightOptimizer.GetState(straightOptimizer.NamedParameters[i].Key)!;
            var b = resumedOptimizer.GetState(straightOptimizer.NamedParameters[i].Key)!;
            Assert.That(b.Step, Is.EqualTo(a.Step));
            for (int j = 0; j < a.TensorNames.Count; j++)
            {
                Assert.That(b.GetTensor(j).ContentEquals(a.GetTensor(j)), a.TensorNames[j]);
            }
        }

        Assert.That(resumedOptimizer.Groups[0].LearningRate, Is.EqualTo(straightOptimizer.Groups[0].LearningRate));
    }

    private static void Train(TinyModel<T> model, Optimizer<T> optimizer, LearningRateScheduler<T> scheduler, int steps)
    {
        for (int s = 0; s < steps; s++)
        {
            optimizer.ZeroGrad();
            var diff = model.Forward(Var<T>.Constant(_x)) - Var<T>.Constant(_y);
            (diff * diff).Mean().Backward();
            GradientClipping.ClipGradNorm(optimizer, 0.5);
            optimizer.Step();
            scheduler.Step();
        }
    }
}
