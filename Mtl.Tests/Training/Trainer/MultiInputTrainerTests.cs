using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Tests.Training.Checkpoints;
using Mtl.Training;
using Mtl.Training.Checkpoints;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Trainer;

/// <summary>The trainer trains a model whose tasks read different inputs (one data set per task) with the same
/// step, methods, schedules and early stopping as a single-input model.</summary>
public class MultiInputTrainerTests
{
    private const double Lr = 0.1;

    private static Trainer<double> Tiny(MultiInputModel<double> model, TrainerOptions<double> options) =>
        new(model, TinyMultiInput.Tasks(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = Lr }), options);

    /// <summary>
    /// One step (both data sets fit in one batch) with static weights λ = (1, 0.5): every parameter's gradient is
    /// Σₜ λₜ ∂Lₜ/∂θ, the encoders' and heads' their own task's term only, as computed by hand; with clipping, all
    /// of them scaled by c/(‖g‖ + 10⁻⁶) when the global norm ‖g‖ exceeds c; the parameters move by −η times it.
    /// </summary>
    [TestCase(null)]
    [TestCase(0.05)]
    public void OneWeightedStepEqualsTheHandComputedUpdate(double? clip)
    {
        var model = TinyMultiInput.Model();
        var p = TinyMultiInput.Values(model);
        double[] lambda = [1.0, 0.5];
        var weighting = new StaticWeighting<double>([new("a", lambda[0]), new("b", lambda[1])]);
        var steps = new List<StepReport>();
        var trainer = Tiny(model, new TrainerOptions<double> { Epochs = 1, BatchSize = 4, Weighting = weighting, ClipGradNorm = clip });
        trainer.StepEnded += steps.Add;

        var history = trainer.Fit(TinyMultiInput.Data());

        var gradient = p.ToDictionary(kv => kv.Key, kv => new double[kv.Value.Length]);
        for (int t = 0; t < 2; t++)
        {
            var (loss, gradients) = TinyMultiInput.Gradients(p, t);
            Assert.That(history.Epochs[0].TrainLoss[TinyMultiInput.TaskNames[t]], Is.EqualTo(loss).Within(1e-12));
            foreach (var (name, g) in gradients)
            {
                for (int k = 0; k < g.Length; k++)
                {
                    gradient[name][k] += lambda[t] * g[k];
                }
            }
        }

        double norm = Math.Sqrt(gradient.Values.Sum(g => TinyMultiInput.Dot(g, g)));
        double scale = clip is { } c && c / (norm + 1e-6) < 1 ? c / (norm + 1e-6) : 1;
        Assert.That(scale, clip is null ? Is.EqualTo(1) : Is.LessThan(1), "clipping is active exactly when asked for");
        var expected = p.ToDictionary(kv => kv.Key, kv => kv.Value.Select((v, k) => v - (Lr * scale * gradient[kv.Key][k])).ToArray());
        AssertValues(model, expected);
        Assert.That(steps, Has.Count.EqualTo(1));
        Assert.That(steps[0].Rows, Is.EqualTo(7), "four rows of a and three of b");
        Assert.That(steps[0].LabelledRows, Is.EqualTo(new Dictionary<string, int> { ["a"] = 4, ["b"] = 3 }));
    }

    /// <summary>
    /// PCGrad on the shared block: the two tasks' shared gradients (by hand) conflict, each is projected onto the
    /// other's normal plane, gₐᴾᶜ = gₐ − (gₐ·g_b/‖g_b‖²)g_b and the same for b, and the shared block moves by
    /// −η(gₐᴾᶜ + g_bᴾᶜ); the encoders and heads still move by their own task's gradient.
    /// </summary>
    [Test]
    public void APCGradStepProjectsTheTasksGradientsOnTheSharedBlock()
    {
        var model = TinyMultiInput.Model();
        var p = TinyMultiInput.Values(model);
        var ga = TinyMultiInput.Gradients(p, 0).Gradients;
        var gb = TinyMultiInput.Gradients(p, 1).Gradients;
        double[] a = TinyMultiInput.Shared(ga), b = TinyMultiInput.Shared(gb);
        double dot = TinyMultiInput.Dot(a, b);
        Assert.That(dot, Is.Negative, "the tiny problem's tasks conflict on the shared block");
        double[] combined = [.. a.Select((x, k) => x - (dot / TinyMultiInput.Dot(b, b) * b[k]) + b[k] - (dot / TinyMultiInput.Dot(a, a) * a[k]))];

        Tiny(model, new TrainerOptions<double> { Epochs = 1, BatchSize = 4, GradientCombiner = new PCGradCombiner() }).Fit(TinyMultiInput.Data());

        var expected = p.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
        foreach (var g in new[] { ga, gb })
        {
            foreach (var (name, values) in g.Where(kv => !kv.Key.StartsWith("shared.", StringComparison.Ordinal)))
            {
                for (int k = 0; k < values.Length; k++)
                {
                    expected[name][k] -= Lr * values[k];
                }
            }
        }

        for (int k = 0; k < 4; k++)
        {
            expected["shared.weight"][k] -= Lr * combined[k];
        }

        for (int k = 0; k < 2; k++)
        {
            expected["shared.bias"][k] -= Lr * combined[4 + k];
        }

        AssertValues(model, expected);
    }

    /// <summary>Task conflict and task affinity (TAG) on the tiny problem's one step, against the hand-computed
    /// gradients: the cosine of the two shared gradients, and Zᵢ→ⱼ = 1 − Lⱼ(θ − ηgᵢ)/Lⱼ(θ) on the shared block.</summary>
    [Test]
    public void ConflictAndAffinityAreMeasuredOnTheSharedBlock()
    {
        var model = TinyMultiInput.Model();
        var p = TinyMultiInput.Values(model);
        var before = TinyMultiInput.Values(model);
        var history = Tiny(model, new TrainerOptions<double> { Epochs = 1, BatchSize = 4, TrackTaskConflict = true, TaskAffinityInterval = 1 }).Fit(TinyMultiInput.Data());

        double[][] g = [TinyMultiInput.Shared(TinyMultiInput.Gradients(p, 0).Gradients), TinyMultiInput.Shared(TinyMultiInput.Gradients(p, 1).Gradients)];
        double cosine = TinyMultiInput.Dot(g[0], g[1]) / Math.Sqrt(TinyMultiInput.Dot(g[0], g[0]) * TinyMultiInput.Dot(g[1], g[1]));
        var conflict = history.Epochs[0].Conflict!;
        Assert.That(conflict.CosineOf(0, 1), Is.EqualTo(cosine).Within(1e-12));
        Assert.That(conflict.Norms[1], Is.EqualTo(Math.Sqrt(TinyMultiInput.Dot(g[1], g[1]))).Within(1e-12));

        var affinity = history.Epochs[0].Affinity!;
        for (int i = 0; i < 2; i++)
        {
            var stepped = p.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
            for (int k = 0; k < 4; k++)
            {
                stepped["shared.weight"][k] -= Lr * g[i][k];
            }

            for (int k = 0; k < 2; k++)
            {
                stepped["shared.bias"][k] -= Lr * g[i][4 + k];
            }

            for (int j = 0; j < 2; j++)
            {
                double z = 1 - (TinyMultiInput.Gradients(stepped, j).Loss / TinyMultiInput.Gradients(p, j).Loss);
                Assert.That(affinity.Of(i, j), Is.EqualTo(z).Within(1e-12), $"Z({i}→{j})");
            }
        }

        Assert.That(TinyMultiInput.Values(model)["shared.weight"], Is.Not.EqualTo(before["shared.weight"]), "the step still happened");
    }

    /// <summary>An epoch is as many steps as the task with the most batches; the other task restarts its pass
    /// (so over three epochs of 2 steps task b, with one batch of 3 rows, is read in every step).</summary>
    [Test]
    public void AnEpochRunsTheLongestTasksBatchesAndTheOthersWrapAround()
    {
        var model = TinyMultiInput.Model();
        var steps = new List<StepReport>();
        var trainer = Tiny(model, new TrainerOptions<double> { Epochs = 3, BatchSize = 2 });
        trainer.StepEnded += steps.Add;
        var history = trainer.Fit(TinyMultiInput.Data());

        Assert.That(steps, Has.Count.EqualTo(6), "task a: 4 rows in batches of 2; task b: 3 rows in batches of 2 and 1");
        Assert.That(steps.Select(s => s.LabelledRows["b"]), Is.EqualTo(new[] { 2, 1, 2, 1, 2, 1 }));
        Assert.That(steps.All(s => s.LabelledRows["a"] == 2));
        Assert.That(history.Epochs.Select(e => e.TrainRows["b"]), Is.EqualTo(new long[] { 3, 3, 3 }));
    }

    /// <summary>Sampled steps: one task's batch per step, round-robin, an epoch as long as all tasks' batches together.</summary>
    [Test]
    public void SampledStepsTakeOneTaskAtATime()
    {
        var model = TinyMultiInput.Model();
        var steps = new List<StepReport>();
        var trainer = Tiny(model, new TrainerOptions<double> { Epochs = 2, BatchSize = 2, MultiInputSampling = TaskSampling.RoundRobin });
        trainer.StepEnded += steps.Add;
        trainer.Fit(TinyMultiInput.Data());

        Assert.That(steps, Has.Count.EqualTo(8), "2 + 2 batches per epoch");
        Assert.That(steps.Select(s => s.Losses.Keys.Single()), Is.EqualTo(new[] { "a", "b", "a", "b", "a", "b", "a", "b" }));
        Assert.That(steps.Select(s => s.LabelledRows["b"]), Is.EqualTo(new[] { 0, 2, 0, 1, 0, 2, 0, 1 }));
    }

    [TestCase("static")]
    [TestCase("uncertainty")]
    [TestCase("dwa")]
    [TestCase("gradnorm")]
    [TestCase("pcgrad")]
    [TestCase("mgda")]
    [TestCase("cagrad")]
    [TestCase("uncertainty+pcgrad")]
    [TestCase("sampled")]
    public void EveryMethodLearnsTasksWithDifferentInputs(string method)
    {
        var (train, validation) = Synthetic.Data(seed: 1);
        var model = Synthetic.Model(seed: 2);
        var (weighting, combiner) = Method(method);
        var learned = weighting?.NamedParameters() ?? [];
        var trainer = new Trainer<double>(model, Synthetic.Tasks(), new Adam<double>(model.NamedParameters().Concat(learned), new AdamOptions { LearningRate = 1e-2 }), new TrainerOptions<double>
        {
            Epochs = 40,
            BatchSize = 16,
            Seed = 4,
            Weighting = weighting,
            GradientCombiner = combiner,
            MultiInputSampling = method == "sampled" ? TaskSampling.Proportional : null,
        });
        double[] before = [.. Synthetic.TaskNames.Select(t => trainer.Evaluate(validation).Loss[t])];

        var history = trainer.Fit(train, validation);
        var result = trainer.Evaluate(validation);

        TestContext.Out.WriteLine($"{method}: validation loss a {before[0]:F4} → {result.Loss["a"]:F4}, b {before[1]:F4} → {result.Loss["b"]:F4}; R² a {result.Regression["a"].R2:F3}, b {result.Regression["b"].R2:F3}");
        Assert.That(history.Epochs, Has.Count.EqualTo(40));
        Assert.That(result.Regression["a"].R2, Is.GreaterThan(0.8));
        Assert.That(result.Regression["b"].R2, Is.GreaterThan(0.8));
        Assert.That(result.Loss["a"], Is.LessThan(before[0] / 4));
        Assert.That(result.Loss["b"], Is.LessThan(before[1] / 4));
    }

    [Test]
    public void SameSeedGivesBitwiseIdenticalRunsForAnyThreadCount()
    {
        double[][] Run(int threads)
        {
            int saved = MtlThreads.Count;
            try
            {
                MtlThreads.Count = threads;
                var (train, validation) = Synthetic.Data(seed: 5, rowsA: 300, rowsB: 200);
                var model = Synthetic.Model(seed: 6, hidden: 48);
                var uncertainty = new UncertaintyWeighting<double>([new("a", TaskKind.Regression), new("b", TaskKind.Regression)]);
                var trainer = new Trainer<double>(model, Synthetic.Tasks(), new Adam<double>(model.NamedParameters().Concat(uncertainty.NamedParameters()), new AdamOptions { LearningRate = 1e-2 }), new TrainerOptions<double>
                {
                    Epochs = 3,
                    BatchSize = 64,
                    Seed = 11,
                    Weighting = uncertainty,
                    GradientCombiner = new PCGradCombiner(seed: 3),
                });
                trainer.Fit(train, validation);
                return [.. model.Parameters().Concat(uncertainty.NamedParameters().Select(p => p.Value)).Select(p => p.Data.ToArray())];
            }
            finally
            {
                MtlThreads.Count = saved;
            }
        }

        var first = Run(2);
        var again = Run(2);
        var single = Run(1);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(single, Is.EqualTo(first));
    }

    [Test]
    public void EarlyStoppingStopsAndRestoresTheBestEpoch()
    {
        var (train, validation) = Synthetic.Data(seed: 7);
        var model = Synthetic.Model(seed: 8);
        // A learning rate this high makes the validation loss bounce, so patience runs out.
        var trainer = new Trainer<double>(model, Synthetic.Tasks(), new Adam<double>(model.NamedParameters(), new AdamOptions { LearningRate = 0.1 }), new TrainerOptions<double>
        {
            Epochs = 300,
            BatchSize = 16,
            Seed = 1,
            EarlyStoppingMetric = "val_loss",
            Patience = 3,
            Schedule = new Mtl.Training.Optim.Schedules.StepLR(stepSize: 100, gamma: 0.5),
        });

        var history = trainer.Fit(train, validation);

        Assert.That(history.StoppedEarly, Is.True);
        Assert.That(history.Epochs, Has.Count.EqualTo(history.BestEpoch + 3));
        double best = history.Epochs[history.BestEpoch - 1].Validation!.Metric("val_loss")!.Value;
        Assert.That(history.Epochs.Min(e => e.Validation!.Metric("val_loss")!.Value), Is.EqualTo(best));
        Assert.That(trainer.Evaluate(validation).Metric("val_loss"), Is.EqualTo(best), "the best epoch's parameters are restored");
    }

    /// <summary>Two fits in a row equal one fit, a checkpoint of the model, optimizer and method, and a fit of a fresh
    /// trainer from it: a multi-input run resumes bit for bit.</summary>
    [Test]
    public void ACheckpointedRunResumesBitwise()
    {
        var (train, _) = Synthetic.Data(seed: 9);
        (Trainer<double> Trainer, MultiInputModel<double> Model, Adam<double> Optimizer) Build(int seed)
        {
            var model = Synthetic.Model(seed);
            var uncertainty = new UncertaintyWeighting<double>([new("a", TaskKind.Regression), new("b", TaskKind.Regression)]);
            var adam = new Adam<double>(model.NamedParameters().Concat(uncertainty.NamedParameters()), new AdamOptions { LearningRate = 1e-2 });
            return (new Trainer<double>(model, Synthetic.Tasks(), adam, new TrainerOptions<double> { Epochs = 2, BatchSize = 16, Seed = 3, Weighting = uncertainty, GradientCombiner = new MgdaCombiner() }), model, adam);
        }

        var straight = Build(seed: 10);
        straight.Trainer.Fit(train);
        straight.Trainer.Fit(train);

        using var dir = new TempDirectory();
        var first = Build(seed: 10);
        first.Trainer.Fit(train);
        Checkpoint.SaveModel(dir.File("model.safetensors"), first.Model);
        Checkpoint.SaveOptimizer(dir.File("optim.safetensors"), first.Optimizer, first.Trainer.Method);
        var resumed = Build(seed: 99);
        Checkpoint.LoadModel(dir.File("model.safetensors"), resumed.Model);
        Checkpoint.LoadOptimizer(dir.File("optim.safetensors"), resumed.Optimizer, resumed.Trainer.Method);
        resumed.Trainer.Fit(train);

        Assert.That(resumed.Model.Parameters().Select(p => p.Data.ToArray()), Is.EqualTo(straight.Model.Parameters().Select(p => p.Data.ToArray())));
        Assert.That(resumed.Trainer.Method.WeightOf("b"), Is.EqualTo(straight.Trainer.Method.WeightOf("b")));
    }

    [Test]
    public void PredictGivesEachTasksOutputsOnItsOwnRowsInOrder()
    {
        var model = TinyMultiInput.Model();
        var trainer = Tiny(model, new TrainerOptions<double> { EvaluationBatchSize = 2 });
        var data = TinyMultiInput.Data();

        var predictions = trainer.Predict(new Dictionary<string, MultiTaskDataset<double>> { ["b"] = data["b"] });

        Assert.That(predictions.Keys, Is.EqualTo(new[] { "b" }));
        var direct = model.Forward("b", Var<double>.Constant(data["b"].Features)).Data.ToArray();
        Assert.That(predictions["b"].ToArray(), Is.EqualTo(direct));
        var result = trainer.Evaluate(data);
        Assert.That(result.Loss["b"], Is.EqualTo(TinyMultiInput.Gradients(TinyMultiInput.Values(model), 1).Loss).Within(1e-12));
    }

    [Test]
    public void BadDataIsRejectedNamingTheTask()
    {
        var model = TinyMultiInput.Model();
        var trainer = Tiny(model, new TrainerOptions<double> { Epochs = 1 });
        var data = TinyMultiInput.Data();

        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(new Dictionary<string, MultiTaskDataset<double>> { ["a"] = data["a"] }));
        Assert.That(ex!.Message, Does.Contain("training data has no data set for task 'b'"));

        ex = Assert.Throws<ArgumentException>(() => trainer.Fit(new Dictionary<string, MultiTaskDataset<double>> { ["a"] = data["a"], ["b"] = data["b"], ["c"] = data["b"] }));
        Assert.That(ex!.Message, Does.Contain("data set for 'c', which is not a task this trainer trains"));

        // Task b's encoder reads three features; task a's data set has two.
        ex = Assert.Throws<ArgumentException>(() => trainer.Fit(data, new Dictionary<string, MultiTaskDataset<double>> { ["a"] = data["a"], ["b"] = Relabel(data["a"], "b") }));
        Assert.That(ex!.Message, Does.Contain("validation data set of task 'b' does not fit the model's input for that task"));

        ex = Assert.Throws<ArgumentException>(() => trainer.Fit(new Dictionary<string, MultiTaskDataset<double>> { ["a"] = data["a"], ["b"] = data["a"] }));
        Assert.That(ex!.Message, Does.Contain("training data set of task 'b' has no targets for it (it has targets for: a)"));

        Assert.That(TinyMultiInput.Values(model), Is.EqualTo(TinyMultiInput.Values(TinyMultiInput.Model())), "nothing was trained");
    }

    [Test]
    public void TheWrongKindOfDataOrOptionIsRejected()
    {
        var model = TinyMultiInput.Model();
        var trainer = Tiny(model, new TrainerOptions<double> { Epochs = 1 });
        var single = Assert.Throws<InvalidOperationException>(() => trainer.Fit(TinyMultiInput.Data(0)));
        Assert.That(single!.Message, Does.Contain("multi-input model").And.Contain("one data set per task"));

        var ex = Assert.Throws<ArgumentException>(() => _ = Tiny(model, new TrainerOptions<double> { GradientCombiner = new PCGradCombiner(), TaskGradients = TaskGradientSpace.Representation }));
        Assert.That(ex!.Message, Does.Contain("Representation").And.Contain("multi-input"));

        var hard = TinyTwoTask.Model<double>();
        ex = Assert.Throws<ArgumentException>(() => _ = new Trainer<double>(hard, TinyTwoTask.Tasks<double>(), new Sgd<double>(hard.NamedParameters(), new SgdOptions()), new TrainerOptions<double> { MultiInputSampling = TaskSampling.Proportional }));
        Assert.That(ex!.Message, Does.Contain("MultiInputSampling"));
        var hardTrainer = new Trainer<double>(hard, TinyTwoTask.Tasks<double>(), new Sgd<double>(hard.NamedParameters(), new SgdOptions()));
        var wrong = Assert.Throws<InvalidOperationException>(() => hardTrainer.Evaluate(TinyMultiInput.Data()));
        Assert.That(wrong!.Message, Does.Contain("takes one input for every task"));
    }

    private static MultiTaskDataset<double> Relabel(MultiTaskDataset<double> data, string task)
    {
        var t = data.Tasks[0];
        return new MultiTaskDataset<double>(data.Features, [], [], [], [TaskTarget<double>.Regression(task, t.Values!, t.Mask)]);
    }

    private static void AssertValues(MultiInputModel<double> model, Dictionary<string, double[]> expected)
    {
        var actual = TinyMultiInput.Values(model);
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, values) in expected)
        {
            Assert.That(actual[name], Is.EqualTo(values).Within(1e-12), name);
        }
    }

    private static (ILossWeighting<double>? Weighting, IGradientCombiner? Combiner) Method(string name) => name switch
    {
        "static" or "sampled" => (null, null),
        "uncertainty" => (new UncertaintyWeighting<double>([new("a", TaskKind.Regression), new("b", TaskKind.Regression)]), null),
        "dwa" => (new DynamicWeightAverage<double>(Synthetic.TaskNames), null),
        "gradnorm" => (new GradNorm<double>(Synthetic.TaskNames), null),
        "pcgrad" => (null, new PCGradCombiner(seed: 1)),
        "mgda" => (null, new MgdaCombiner()),
        "cagrad" => (null, new CAGradCombiner()),
        "uncertainty+pcgrad" => (new UncertaintyWeighting<double>([new("a", TaskKind.Regression), new("b", TaskKind.Regression)]), new PCGradCombiner(seed: 1)),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// Two regression tasks reading different inputs of a common latent signal: task a sees x ∈ ℝ³ with
    /// y = sin(u·x) + 0.3(x₀)², task b sees x ∈ ℝ⁵ with y = tanh(w·x) − 0.5·x₄, each with a little noise.
    /// </summary>
    private static class Synthetic
    {
        public static readonly string[] TaskNames = ["a", "b"];

        public static TrainingTask<double>[] Tasks() => [new("a", new MseLoss<double>()), new("b", new MseLoss<double>())];

        public static MultiInputModel<double> Model(int seed, int hidden = 16)
        {
            var random = new SeededRandom(seed);
            return new MultiInputModel<double>(new Sequential<double>(new Linear<double>(hidden, hidden, random), new Tanh<double>()))
                .AddTask("a", new Sequential<double>(new Linear<double>(3, hidden, random), new Tanh<double>()), new Linear<double>(hidden, 1, random))
                .AddTask("b", new Sequential<double>(new Linear<double>(5, hidden, random), new Tanh<double>()), new Linear<double>(hidden, 1, random));
        }

        public static (Dictionary<string, MultiTaskDataset<double>> Train, Dictionary<string, MultiTaskDataset<double>> Validation) Data(int seed, int rowsA = 160, int rowsB = 96)
        {
            var random = new SeededRandom(seed);
            double[] u = [0.9, -0.6, 0.4], w = [0.5, -0.7, 0.3, 0.8, -0.2];
            var a = Make(random, "a", rowsA + 64, u, x => Math.Sin(Dot(u, x)) + (0.3 * x[0] * x[0]));
            var b = Make(random, "b", rowsB + 64, w, x => Math.Tanh(Dot(w, x)) - (0.5 * x[4]));
            return (
                new() { ["a"] = a.Subset([.. Enumerable.Range(0, rowsA)]), ["b"] = b.Subset([.. Enumerable.Range(0, rowsB)]) },
                new() { ["a"] = a.Subset([.. Enumerable.Range(rowsA, 64)]), ["b"] = b.Subset([.. Enumerable.Range(rowsB, 64)]) });
        }

        private static MultiTaskDataset<double> Make(SeededRandom random, string task, int rows, double[] direction, Func<double[], double> f)
        {
            int width = direction.Length;
            var x = new Tensor<double>(rows, width);
            var y = new Tensor<double>(rows, 1);
            var mask = new Tensor<double>(rows);
            for (int r = 0; r < rows; r++)
            {
                var row = new double[width];
                for (int c = 0; c < width; c++)
                {
                    row[c] = random.NextNormal();
                    x[r, c] = row[c];
                }

                y[r] = f(row) + (0.05 * random.NextNormal());
                mask[r] = 1;
            }

            return new MultiTaskDataset<double>(x, [], [], [], [TaskTarget<double>.Regression(task, y, mask)]);
        }

        private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();
    }
}
