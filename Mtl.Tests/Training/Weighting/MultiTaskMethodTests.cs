using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Tests.Training.Checkpoints;
using Mtl.Tests.Training.Trainer;
using Mtl.Training;
using Mtl.Training.Checkpoints;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>The trainer drives any <see cref="IMultiTaskMethod{T}"/> through the same hooks, and rejects the
/// combinations it cannot serve when it is built.</summary>
public class MultiTaskMethodTests
{
    private static Trainer<double> Build(IMultiTaskMethod<double> method, MultiTaskModel<double> model, int epochs = 2, double lr = 0.05) =>
        new(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = lr }), new TrainerOptions<double>
        {
            Epochs = epochs,
            BatchSize = 2,
            Seed = 3,
            Method = method,
        });

    [Test]
    public void TheTrainerCallsEveryHookInOrder()
    {
        var probe = new ProbeMethod<double>(["a", "b"], seed: 1);
        var model = TinyTwoTask.Model<double>();
        var trainer = Build(probe, model);

        var history = trainer.Fit(TinyTwoTask.Data<double>([1, 0, 0, 1]));

        string[] step = ["weigh", "combine", "after"];
        Assert.That(probe.Log, Is.EqualTo(new[] { "bind a,b 2" }.Concat(step).Concat(step).Append("end").Concat(step).Concat(step).Append("end")));
        Assert.That(probe.Matrices.All(m => m.Length == 6), "the matrix has a column per shared scalar (W 2×2, b 2)");
        Assert.That(probe.Matrices.Select(m => m.Tasks.Length).Sum(), Is.EqualTo(6), "task b has labels in two of the four batches");
        Assert.That(history.Epochs[^1].TaskWeights["a"], Is.Not.EqualTo(1.0), "the report shows the method's weights");
        Assert.That(history.Epochs[^1].TaskWeights["a"], Is.EqualTo(probe.WeightOf("a")));
    }

    [Test]
    public void TheCombinedGradientIsWhatTheSharedParametersGet()
    {
        var model = TinyTwoTask.Model<double>();
        var before = TinyTwoTask.Values.Of(model);
        Build(new ProbeMethod<double>(["a", "b"], seed: 1) { ZeroDirection = true }, model, epochs: 1).Fit(TinyTwoTask.Data<double>());
        var after = TinyTwoTask.Values.Of(model);
        Assert.That(after.W, Is.EqualTo(before.W));
        Assert.That(after.Bias, Is.EqualTo(before.Bias));
        Assert.That(after.V[0], Is.Not.EqualTo(before.V[0]), "the heads still learn from their terms");
    }

    [Test]
    public void AMethodWithItsOwnOptimizerAndGeneratorResumesBitwise()
    {
        var data = TinyTwoTask.Data<double>([1, 0, 1, 1]);
        var straightModel = TinyTwoTask.Model<double>();
        var straightProbe = new ProbeMethod<double>(["a", "b"], seed: 7);
        var straight = Build(straightProbe, straightModel);
        straight.Fit(data);
        straight.Fit(data);

        using var dir = new TempDirectory();
        var firstModel = TinyTwoTask.Model<double>();
        var firstOptimizer = new Sgd<double>(firstModel.NamedParameters(), new SgdOptions { LearningRate = 0.05 });
        var first = new Trainer<double>(firstModel, TinyTwoTask.Tasks<double>(), firstOptimizer, new TrainerOptions<double> { Epochs = 2, BatchSize = 2, Seed = 3, Method = new ProbeMethod<double>(["a", "b"], seed: 7) });
        first.Fit(data);
        Checkpoint.SaveModel(dir.File("model.safetensors"), firstModel);
        Checkpoint.SaveOptimizer(dir.File("optim.safetensors"), firstOptimizer, first.Method);

        var resumedModel = TinyTwoTask.Model<double>(seed: 50);
        var resumedOptimizer = new Sgd<double>(resumedModel.NamedParameters(), new SgdOptions { LearningRate = 0.05 });
        var resumedProbe = new ProbeMethod<double>(["a", "b"], seed: 123);
        var resumed = new Trainer<double>(resumedModel, TinyTwoTask.Tasks<double>(), resumedOptimizer, new TrainerOptions<double> { Epochs = 2, BatchSize = 2, Seed = 3, Method = resumedProbe });
        Checkpoint.LoadModel(dir.File("model.safetensors"), resumedModel);
        Checkpoint.LoadOptimizer(dir.File("optim.safetensors"), resumedOptimizer, resumed.Method);
        resumed.Fit(data);

        Assert.That(resumedModel.Parameters().Select(p => p.Data.ToArray()), Is.EqualTo(straightModel.Parameters().Select(p => p.Data.ToArray())));
        Assert.That(resumedProbe.WeightOf("a"), Is.EqualTo(straightProbe.WeightOf("a")));
        Assert.That(resumedProbe.WeightOf("b"), Is.EqualTo(straightProbe.WeightOf("b")));
        Assert.That(resumedProbe.Steps, Is.EqualTo(straightProbe.Steps));
    }

    [Test]
    public void AStateTheMethodRejectsChangesNothing()
    {
        using var dir = new TempDirectory();
        var model = TinyTwoTask.Model<double>();
        var optimizer = new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = 0.05, Momentum = 0.5 });
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), optimizer, new TrainerOptions<double> { Epochs = 1, BatchSize = 2, Method = new ProbeMethod<double>(["a", "b"], seed: 7) });
        trainer.Fit(TinyTwoTask.Data<double>());
        Checkpoint.SaveOptimizer(dir.File("optim.safetensors"), optimizer, trainer.Method);

        // Built with three log-weights, the probe finds no saved value for the third.
        var otherModel = TinyTwoTask.Model<double>();
        var otherOptimizer = new Sgd<double>(otherModel.NamedParameters(), new SgdOptions { LearningRate = 0.05, Momentum = 0.5 });
        var other = new ProbeMethod<double>(["a", "b"], seed: 9, logWeights: 3);
        var otherTrainer = new Trainer<double>(otherModel, TinyTwoTask.Tasks<double>(), otherOptimizer, new TrainerOptions<double> { Method = other });
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(dir.File("optim.safetensors"), otherOptimizer, otherTrainer.Method));
        Assert.That(ex!.Message, Does.Contain("multi-task method 'probe'").And.Contain("own.2.value").And.Contain("missing"));
        Assert.That(other.Steps, Is.Zero);
        Assert.That(otherOptimizer.GetState("shared.0.weight"), Is.Null);
    }

    [Test]
    public void UnsupportedCombinationsAreRejectedWhenTheTrainerIsBuilt()
    {
        var model = TinyTwoTask.Model<double>();
        var sgd = new Sgd<double>(model.NamedParameters(), new SgdOptions());

        // A method and a weighting at once.
        var ex = Assert.Throws<ArgumentException>(() => _ = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), sgd, new TrainerOptions<double>
        {
            Method = new ProbeMethod<double>(["a", "b"], 1),
            GradientCombiner = new PCGradCombiner(),
        }));
        Assert.That(ex!.Message, Does.Contain("Method (probe) is set together with GradientCombiner"));

        // A weighting of other tasks.
        ex = Assert.Throws<ArgumentException>(() => _ = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), sgd, new TrainerOptions<double>
        {
            Weighting = new DynamicWeightAverage<double>(["a", "c"]),
        }));
        Assert.That(ex!.Message, Does.Contain("dwa: no weight for task 'b'"));

        // GradNorm measures G_W on a shared weight matrix: a model whose shared block has none cannot serve it.
        var random = new SeededRandom(2);
        var scaled = new MultiTaskModel<double>(new Sequential<double>(new LayerNorm<double>(2)))
            .AddHead("a", new Linear<double>(2, 1, random))
            .AddHead("b", new Linear<double>(2, 1, random));
        var gradNorm = new GradNorm<double>(["a", "b"]);
        ex = Assert.Throws<ArgumentException>(() => _ = new Trainer<double>(scaled, TinyTwoTask.Tasks<double>(), new Sgd<double>(scaled.NamedParameters().Concat(gradNorm.NamedParameters()), new SgdOptions()), new TrainerOptions<double> { Weighting = gradNorm }));
        Assert.That(ex!.Message, Does.Contain("GradNorm").And.Contain("none of the model's 2 shared parameters is a matrix"));
    }

    [Test]
    public void ALossWeightingThatCombinesGradientsCannotBePairedWithACombiner()
    {
        var model = TinyTwoTask.Model<double>();
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions()), new TrainerOptions<double>
        {
            Epochs = 1,
            Weighting = new GreedyWeighting(),
            GradientCombiner = new MgdaCombiner(),
        });
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(TinyTwoTask.Data<double>()));
        Assert.That(ex!.Message, Does.Contain("'greedy' returned a combined gradient"));
    }

    [Test]
    public void TermsThatDoNotMatchTheLossesAreAnError()
    {
        var model = TinyTwoTask.Model<double>();
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions()), new TrainerOptions<double> { Epochs = 1, Method = new FirstOnly() });
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(TinyTwoTask.Data<double>()));
        Assert.That(ex!.Message, Does.Contain("'first-only' returned terms for [a] from losses of [a, b]"));
    }

    [Test]
    public void TheModelsPenaltyIsBuiltOncePerStepAndBypassesTheCombination()
    {
        // With the combination zeroed, the trunk moves by the penalty's gradient alone: W' = W − lr·2λW.
        var model = new PenalisedModel(TinyTwoTask.Model<double>(), strength: 0.25);
        var w = model.Inner.Shared.Parameters().First();
        var before = w.Data.ToArray();
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = 0.1 }), new TrainerOptions<double>
        {
            Epochs = 1,
            BatchSize = TinyTwoTask.Rows,
            Method = new ProbeMethod<double>(["a", "b"], seed: 1) { ZeroDirection = true },
        });

        trainer.Fit(TinyTwoTask.Data<double>());

        Assert.That(model.PenaltyCalls, Is.EqualTo(1));
        Assert.That(w.Data.ToArray(), Is.EqualTo(before.Select(v => v - (0.1 * 2 * 0.25 * v)).ToArray()).Within(1e-15));
    }

    /// <summary>A hard-sharing model with the penalty λ‖W‖² on its first shared weight, counting how often it is built.</summary>
    private sealed class PenalisedModel : Module<double>, IMultiTaskModel<double>
    {
        private readonly double _strength;

        public PenalisedModel(MultiTaskModel<double> inner, double strength)
        {
            Inner = RegisterModule("inner", inner);
            _strength = strength;
        }

        public MultiTaskModel<double> Inner { get; }

        public int PenaltyCalls { get; private set; }

        public IReadOnlyList<string> Tasks => Inner.Tasks;

        public TaskOutputs<double> Forward(Mtl.Autograd.Var<double> input) => Inner.Forward(input);

        public Mtl.Autograd.Var<double> Forward(Mtl.Autograd.Var<double> input, string task) => Inner.Forward(input, task);

        public IEnumerable<Mtl.Autograd.Var<double>> SharedParameters() => Inner.SharedParameters();

        public Mtl.Autograd.Var<double>? Penalty()
        {
            PenaltyCalls++;
            return Inner.Shared.Parameters().First().Square().Sum() * _strength;
        }
    }

    /// <summary>A (faulty) loss weighting that also combines gradients.</summary>
    private sealed class GreedyWeighting : ILossWeighting<double>
    {
        public string Name => "greedy";

        public IReadOnlyList<string> Tasks => ["a", "b"];

        public IReadOnlyList<double> Weights => [1.0, 1.0];

        public Mtl.Autograd.Var<double> Combine(IReadOnlyList<TaskLoss<double>> losses) => losses[0].Loss + losses[1].Loss;

        public IReadOnlyList<TaskLoss<double>> Weigh(IReadOnlyList<TaskLoss<double>> losses) => losses;

        public double[]? CombineGradients(TaskGradientSet<double> gradients) => new double[gradients.Length];
    }

    /// <summary>A (faulty) method that drops all but the first task's term.</summary>
    private sealed class FirstOnly : IMultiTaskMethod<double>
    {
        public string Name => "first-only";

        public IReadOnlyList<TaskLoss<double>> Weigh(IReadOnlyList<TaskLoss<double>> losses) => [losses[0]];
    }
}
