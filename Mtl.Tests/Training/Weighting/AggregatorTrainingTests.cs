using System.Numerics;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Tests.Training.Checkpoints;
using Mtl.Training;
using Mtl.Training.Checkpoints;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>
/// The aggregators and weightings of issue 14 through the trainer: on three conflicting regression tasks (one
/// labelled on every third row only, so it sits some steps out) the training losses fall, and a run saved after
/// a fit and resumed in fresh objects continues bit for bit where the method has state.
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class AggregatorTrainingTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Epochs = 6;
    private static readonly string[] TaskNames = ["a", "b", "c"];

    private static IEnumerable<TestCaseData> Methods()
    {
        yield return Case("upgrad", () => new TrainerOptions<T> { GradientCombiner = new UPGradCombiner() });
        yield return Case("dualproj", () => new TrainerOptions<T> { GradientCombiner = new DualProjCombiner() });
        yield return Case("imtl-g", () => new TrainerOptions<T> { GradientCombiner = new ImtlGCombiner() });
        yield return Case("aligned-mtl", () => new TrainerOptions<T> { GradientCombiner = new AlignedMtlCombiner() });
        yield return Case("gradvac", () => new TrainerOptions<T> { GradientCombiner = new GradVacCombiner(TaskNames, beta: 0.1, seed: 3) });
        yield return Case("graddrop", () => new TrainerOptions<T> { GradientCombiner = new GradDropCombiner(seed: 3) });
        yield return Case("nash-mtl", () => new TrainerOptions<T> { GradientCombiner = new NashMtlCombiner() });
        yield return Case("fairgrad", () => new TrainerOptions<T> { GradientCombiner = new FairGradCombiner(fairness: 2) });
        yield return Case("db-mtl", () => new TrainerOptions<T> { Method = DbMtlCombiner.Method<T>(TaskNames) });
        yield return Case("dwa+upgrad", () => new TrainerOptions<T> { Weighting = new DynamicWeightAverage<T>(TaskNames), GradientCombiner = new UPGradCombiner() });
        yield return Case("rlw", () => new TrainerOptions<T> { Weighting = new RandomLossWeighting<T>(TaskNames, seed: 3) });
        yield return Case("gls", () => new TrainerOptions<T> { Weighting = new GeometricLossStrategy<T>(TaskNames) });
        yield return Case("famo", () => new TrainerOptions<T> { Weighting = new FamoWeighting<T>(TaskNames) });
        yield return Case("rlw+imtl-g", () => new TrainerOptions<T> { Weighting = new RandomLossWeighting<T>(TaskNames, seed: 3), GradientCombiner = new ImtlGCombiner() });
        yield return Case("graddrop on the representation", () => new TrainerOptions<T> { GradientCombiner = new GradDropCombiner(seed: 3), TaskGradients = TaskGradientSpace.Representation });
        yield return Case("upgrad on the representation", () => new TrainerOptions<T> { GradientCombiner = new UPGradCombiner(), TaskGradients = TaskGradientSpace.Representation });
    }

    private static IEnumerable<TestCaseData> StatefulMethods()
    {
        yield return Case("gradvac", () => new TrainerOptions<T> { GradientCombiner = new GradVacCombiner(TaskNames, beta: 0.1, seed: 3) });
        yield return Case("graddrop", () => new TrainerOptions<T> { GradientCombiner = new GradDropCombiner(seed: 3) });
        yield return Case("rlw", () => new TrainerOptions<T> { Weighting = new RandomLossWeighting<T>(TaskNames, seed: 3) });
        yield return Case("famo", () => new TrainerOptions<T> { Weighting = new FamoWeighting<T>(TaskNames) });
        yield return Case("db-mtl", () => new TrainerOptions<T> { Method = DbMtlCombiner.Method<T>(TaskNames) });
        yield return Case("famo+gradvac", () => new TrainerOptions<T> { Weighting = new FamoWeighting<T>(TaskNames), GradientCombiner = new GradVacCombiner(TaskNames, beta: 0.1, seed: 3) });
    }

    [TestCaseSource(nameof(Methods))]
    public void TrainingLossesFall(Func<TrainerOptions<T>> options)
    {
        var run = Build(options());
        var history = run.Trainer.Fit(Data());
        double first = history.Epochs[0].TrainLoss.Values.Sum(), last = history.Epochs[^1].TrainLoss.Values.Sum();
        Assert.That(last, Is.LessThan(0.8 * first), $"{first} → {last}");
        Assert.That(Values(run.Model).SelectMany(v => v).All(double.IsFinite));
    }

    [TestCaseSource(nameof(StatefulMethods))]
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

    private static TestCaseData Case(string name, Func<TrainerOptions<T>> options) => new TestCaseData(options).SetName(name);

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

    /// <summary>40 rows, 4 features, three regression tasks that pull the shared layers apart; task c is labelled on every third row only.</summary>
    private static MultiTaskDataset<T> Data()
    {
        const int rows = 40;
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
