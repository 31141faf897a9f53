using System.Numerics;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Checkpoints;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>
/// A run interrupted after a fit, saved (model, optimizer and multi-task method), loaded into fresh objects and
/// fitted again must equal, bit for bit, one trainer fitting twice: the method's state — learned weights, the
/// DWA loss history, GradNorm's initial losses, PCGrad's generator — travels with the optimizer checkpoint.
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class MethodResumeTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Epochs = 3;
    private static readonly string[] TaskNames = ["a", "b", "c"];

    private static IEnumerable<TestCaseData> Methods()
    {
        yield return Case("uncertainty+pcgrad", () => new TrainerOptions<T> { Weighting = Uncertainty(), GradientCombiner = new PCGradCombiner(seed: 4) });
        yield return Case("dwa+mgda", () => new TrainerOptions<T> { Weighting = new DynamicWeightAverage<T>(TaskNames), GradientCombiner = new MgdaCombiner() });
        yield return Case("gradnorm+cagrad", () => new TrainerOptions<T> { Weighting = new GradNorm<T>(TaskNames), GradientCombiner = new CAGradCombiner() });
        yield return Case("dwa", () => new TrainerOptions<T> { Weighting = new DynamicWeightAverage<T>(TaskNames) });
        yield return Case("pcgrad", () => new TrainerOptions<T> { GradientCombiner = new PCGradCombiner(seed: 9) });
    }

    [TestCaseSource(nameof(Methods))]
    public void AResumedRunEqualsTwoFitsOfOneTrainer(Func<TrainerOptions<T>> options)
    {
        var data = Data();
        var straight = Build(options());
        straight.Trainer.Fit(data);
        straight.Trainer.Fit(data);

        using var dir = new TempDirectory();
        var first = Build(options());
        first.Trainer.Fit(data);
        Checkpoint.SaveModel(dir.File("model.safetensors"), first.Model);
        Checkpoint.SaveOptimizer(dir.File("optim.safetensors"), first.Optimizer, first.Trainer.Method);
        Checkpoint.SaveOptimizer(dir.File("optimizer-only.safetensors"), first.Optimizer);

        var resumed = Build(options(), seed: 99);
        Checkpoint.LoadModel(dir.File("model.safetensors"), resumed.Model);
        Checkpoint.LoadOptimizer(dir.File("optim.safetensors"), resumed.Optimizer, resumed.Trainer.Method);
        resumed.Trainer.Fit(data);

        Assert.That(Values(resumed.Model), Is.EqualTo(Values(straight.Model)), "model parameters");
        Assert.That(State(resumed.Trainer.Method), Is.EqualTo(State(straight.Trainer.Method)), "method state");

        // Without the method's state the continuation differs, so the comparison above can see it.
        var forgetful = Build(options(), seed: 99);
        Checkpoint.LoadModel(dir.File("model.safetensors"), forgetful.Model);
        Checkpoint.LoadOptimizer(dir.File("optimizer-only.safetensors"), forgetful.Optimizer);
        forgetful.Trainer.Fit(data);
        Assert.That(Values(forgetful.Model), Is.Not.EqualTo(Values(straight.Model)));
    }

    [Test]
    public void TheMethodMustMatchTheFile()
    {
        using var dir = new TempDirectory();
        var saved = Build(new TrainerOptions<T> { Weighting = Uncertainty(), GradientCombiner = new PCGradCombiner(seed: 4) });
        saved.Trainer.Fit(Data());
        string path = dir.File("optim.safetensors");
        Checkpoint.SaveOptimizer(path, saved.Optimizer, saved.Trainer.Method);
        Checkpoint.SaveOptimizer(dir.File("optimizer-only.safetensors"), saved.Optimizer);

        var other = Build(new TrainerOptions<T> { Weighting = Uncertainty() });
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(path, other.Optimizer, other.Trainer.Method));
        Assert.That(ex!.Message, Does.Contain("'uncertainty+pcgrad' in file, 'uncertainty' in the trainer"));

        ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(path, saved.Optimizer));
        Assert.That(ex!.Message, Does.Contain("holds the state of the multi-task method 'uncertainty+pcgrad'"));

        var fresh = Build(new TrainerOptions<T> { Weighting = Uncertainty(), GradientCombiner = new PCGradCombiner(seed: 4) });
        var before = State(fresh.Trainer.Method);
        ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(dir.File("optimizer-only.safetensors"), fresh.Optimizer, fresh.Trainer.Method));
        Assert.That(ex!.Message, Does.Contain("holds no multi-task method state"));
        Assert.That(State(fresh.Trainer.Method), Is.EqualTo(before));
        Assert.That(fresh.Optimizer.GetState("shared.0.weight"), Is.Null, "the optimizer is untouched");
    }

    private static TestCaseData Case(string name, Func<TrainerOptions<T>> options) => new TestCaseData(options).SetName(name);

    private static UncertaintyWeighting<T> Uncertainty() => new(TaskNames.Select(t => new KeyValuePair<string, TaskKind>(t, TaskKind.Regression)));

    private static (MultiTaskModel<T> Model, Adam<T> Optimizer, Trainer<T> Trainer) Build(TrainerOptions<T> options, int seed = 1)
    {
        var random = new SeededRandom(seed);
        var model = new MultiTaskModel<T>(new Sequential<T>(new Linear<T>(4, 6, random), new Tanh<T>(), new Linear<T>(6, 5, random), new Tanh<T>()));
        foreach (var t in TaskNames)
        {
            model.AddHead(t, new Linear<T>(5, 1, random));
        }

        var method = options.Method ?? new WeightedCombination<T>(options.Weighting, options.GradientCombiner);
        var adam = new Adam<T>(model.NamedParameters().Concat(method.NamedParameters()), new AdamOptions { LearningRate = 0.02 });
        var trainer = new Trainer<T>(model, TaskNames.Select(t => new TrainingTask<T>(t, new MseLoss<T>())), adam, options with { Epochs = Epochs, BatchSize = 8, Seed = 5 });
        return (model, adam, trainer);
    }

    /// <summary>28 rows, 4 features, three regression tasks that pull the shared layers apart (b against a, c against both); task c is labelled on every third row only.</summary>
    private static MultiTaskDataset<T> Data()
    {
        const int rows = 28;
        var random = new SeededRandom(21);
        var x = Tensor.RandomNormal<T>(random, new Shape(rows, 4));
        var targets = TaskNames.Select(_ => new Tensor<T>(rows, 1)).ToArray();
        var masks = TaskNames.Select(_ => new Tensor<T>(rows)).ToArray();
        for (int r = 0; r < rows; r++)
        {
            double x0 = double.CreateTruncating(x[r * 4]), x1 = double.CreateTruncating(x[(r * 4) + 1]), x2 = double.CreateTruncating(x[(r * 4) + 2]);
            targets[0][r] = T.CreateTruncating(x0 + (0.5 * x1));
            targets[1][r] = T.CreateTruncating(-x0 + (0.3 * x2));
            targets[2][r] = T.CreateTruncating((0.7 * x0) - x1 + Math.Sin(x2));
            masks[0][r] = T.One;
            masks[1][r] = T.One;
            masks[2][r] = r % 3 == 0 ? T.One : T.Zero;
        }

        return new MultiTaskDataset<T>(x, ["x0", "x1", "x2", "x3"], [0, 1, 2, 3], [], [.. TaskNames.Select((t, i) => TaskTarget<T>.Regression(t, targets[i], masks[i]))]);
    }

    private static double[][] Values(Module<T> model) => [.. model.Parameters().Select(p => p.Data.ToArray().Select(v => double.CreateTruncating(v)).ToArray())];

    private static Dictionary<string, object> State(IMultiTaskMethod<T> method)
    {
        var state = new MethodState();
        method.SaveState(state);
        return state.Names.ToDictionary(n => n, n => state.Entry(n));
    }
}
