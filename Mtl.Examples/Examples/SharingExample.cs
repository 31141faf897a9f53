using System.Diagnostics;
using System.Globalization;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Metrics;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;
using Mtl.Training.Weighting;

namespace Mtl.Examples;

/// <summary>
/// Every sharing scheme on the same real data, tasks and seeds: UCI Energy Efficiency (heating and cooling
/// load) trained as single-task models, with hard sharing, hierarchical sharing, soft sharing, cross-stitch
/// units, a multi-gate mixture of experts and multi-task relationship learning, each over several seeds.
/// The summary is LibMTL's Δm%: the mean over tasks of the relative improvement over the single-task model
/// of the same seed, with the sign of each metric's direction (here the test MAE, lower is better, so
/// Δm = (1/T)·Σₜ (MAEₜ^single − MAEₜ) / MAEₜ^single · 100; positive means sharing helped).
/// </summary>
public sealed class SharingExample : IExample
{
    private const int Hidden = 64;
    private const int BatchSize = 32;
    private const double LearningRate = 3e-3;
    private const int Seeds = 5;
    private const double SoftLambda = 1e-3;
    private const double RelationshipLambda = 1e-2;
    private static readonly string[] Tasks = EnergyExample.Tasks;
    private static readonly int In = EnergyExample.Features.Length;

    /// <inheritdoc />
    public string Name => "sharing";

    /// <inheritdoc />
    public string Summary => "every sharing scheme (hard, hierarchical, soft, cross-stitch, MMoE, DSelect-k, CGC, PLE, MTRL) against single-task models, Δm% over seeds";

    /// <inheritdoc />
    public int DefaultEpochs => 150;

    /// <summary>The schemes, in table order: a name, and the model (and method) for a seed.</summary>
    private static IEnumerable<(string Name, Func<ulong, (IMultiTaskModel<float> Model, IMultiTaskMethod<float>? Method)> Build)> Schemes() =>
    [
        ("hard sharing", s => (Hard(s), null)),
        ("hierarchical", s => (Hierarchical(s), null)),
        ($"soft sharing (λ = {SoftLambda.ToString(CultureInfo.InvariantCulture)})", s => (Soft(s), null)),
        ("cross-stitch", s => (CrossStitch(s), null)),
        ("MMoE (4 experts)", s => (MixtureOfExperts(s), null)),
        ("MMoE, DSelect-k gates (k = 2)", s => (MixtureOfExperts(s, dselect: true), null)),
        ("CGC (1 expert per task, 2 shared)", s => (Ple(s, levels: 1), null)),
        ("PLE (2 levels)", s => (Ple(s, levels: 2), null)),
        ($"MTRL (λ = {RelationshipLambda.ToString(CultureInfo.InvariantCulture)})", s =>
        {
            var model = Hard(s);
            return (model, TaskRelationshipLearning<float>.ForHeads(model, RelationshipLambda));
        }),
    ];

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string path = context.DataFile("energy-efficiency.csv");
        var data = ExampleContext.Load(path, () => EnergyExample.Prepare(path, context));
        var w = context.Out;
        int epochs = context.Epochs(DefaultEpochs);
        ulong seed = context.Options.Seed;
        w.WriteLine($"data: {path}: {data.Train.Rows} training, {data.Validation.Rows} validation, {data.Test.Rows} test rows (one split, seed {seed}); standardised on the training rows");
        w.WriteLine($"every model: {epochs} epochs, batch {BatchSize}, Adam lr {LearningRate} with cosine annealing, MSE per task; seeds {seed}..{seed + Seeds - 1} for initialisation and batch order; test MAE in kWh/m²");

        // Single-task baselines per seed: the same trunk and head as hard sharing, one task each.
        var single = new Dictionary<string, double>[Seeds];
        var singleTime = TimeSpan.Zero;
        for (int s = 0; s < Seeds; s++)
        {
            single[s] = [];
            foreach (string task in Tasks)
            {
                var run = Train(data, Hard(seed + (ulong)s, [task]), null, [task], epochs, seed + (ulong)s);
                single[s][task] = run.Mae[task];
                singleTime += run.Time;
            }
        }

        var table = new ConsoleTable("scheme", "parameters", "heating MAE", "cooling MAE", "Δm% (mean ± sd)", "time per seed");
        table.Add("single-task (2 models)", (((Module<float>)Hard(seed, [Tasks[0]])).ParameterCount * 2).ToString(CultureInfo.InvariantCulture), Cell(single, Tasks[0]), Cell(single, Tasks[1]), "0 (baseline)", Millis(singleTime / Seeds));
        var relations = new TaskRelations().Add(TaskRelations.LabelCorrelation(data.Train, Tasks));
        foreach (var relation in Measured(data, epochs, seed))
        {
            relations.Add(relation);
        }

        foreach (var (name, build) in Schemes())
        {
            var results = new Dictionary<string, double>[Seeds];
            var delta = new double[Seeds];
            var time = TimeSpan.Zero;
            long parameters = 0;
            for (int s = 0; s < Seeds; s++)
            {
                var (model, method) = build(seed + (ulong)s);
                parameters = ((Module<float>)model).ParameterCount;
                var run = Train(data, model, method, Tasks, epochs, seed + (ulong)s);
                results[s] = run.Mae;
                time += run.Time;
                delta[s] = DeltaM.Percent([.. Tasks.Select(t => new DeltaM.Entry(t, run.Mae[t], single[s][t], HigherIsBetter: false))]);
                if (s == 0)
                {
                    foreach (var relation in Learned(model, method, data.Test))
                    {
                        relations.Add(relation);
                    }
                }
            }

            table.Add(name, parameters.ToString(CultureInfo.InvariantCulture), Cell(results, Tasks[0]), Cell(results, Tasks[1]), ConsoleTable.MeanSd(delta, 2), Millis(time / Seeds));
            context.Out.WriteLine($"[{name}] Δm% per seed: {string.Join(", ", delta.Select(d => d.ToString("F2", CultureInfo.InvariantCulture)))}");
        }

        w.WriteLine();
        w.WriteLine($"test split ({data.Test.Rows} rows); MAE mean ± sd over {Seeds} seeds; Δm% against the single-task model of the same seed (positive: sharing helped):");
        w.Write(table.ToString());
        w.WriteLine();
        w.WriteLine("task relations: what the data says, what the gradients say (hard sharing) and what each scheme learned (first seed):");
        w.WriteLine();
        w.Write(relations.ToString());
        string heatmap = context.OutputPath("sharing-relations.png");
        Heatmaps.Write(heatmap, "Energy: heating and cooling load", relations);
        context.Wrote(heatmap, "task relations heat map");
    }

    private static string Millis(TimeSpan time) => time.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";

    private static string Cell(Dictionary<string, double>[] runs, string task) => ConsoleTable.MeanSd([.. runs.Select(r => r[task])], 3);


    /// <summary>What a scheme learned about the task relation: MTRL's correlation, the cross-stitch mixing
    /// weights, the MMoE gates' mean use of each expert on the test rows; none for the others.</summary>
    private static IEnumerable<TaskRelation> Learned(IMultiTaskModel<float> model, IMultiTaskMethod<float>? method, Mtl.Training.Data.MultiTaskDataset<float> test) =>
        (model, method) switch
        {
            (_, TaskRelationshipLearning<float> mtrl) => [TaskRelations.Learned(mtrl)],
            (CrossStitchModel<float> stitch, _) => TaskRelations.CrossStitch(stitch),
            (MixtureOfExpertsModel<float> moe, _) => [TaskRelations.GateUsage(moe, test)],
            _ => [],
        };

    /// <summary>What the gradients say, from a hard-sharing run of the first seed that tracks them: the cosine of
    /// the tasks' gradients on the trunk (mean over each epoch's first batch) and TAG's lookahead affinity (mean
    /// over every 10th step of the last epoch).</summary>
    private static IEnumerable<TaskRelation> Measured(EnergyExample.EnergyData data, int epochs, ulong seed)
    {
        var model = Hard(seed);
        var optimizer = new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = LearningRate });
        var trainer = new Trainer<float>(
            model,
            Tasks.Select(t => new TrainingTask<float>(t, new MseLoss<float>())),
            optimizer,
            new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2, TrackTaskConflict = true, TaskAffinityInterval = 10 });
        var schedule = new LearningRateScheduler<float>(optimizer, new CosineAnnealingLR(epochs));
        trainer.EpochEnded += _ => schedule.Step();
        var history = trainer.Fit(data.Train, data.Validation);
        var cosine = new double[Tasks.Length, Tasks.Length];
        var conflicts = history.Epochs.Select(e => e.Conflict).OfType<TaskConflictReport>().ToList();
        foreach (var c in conflicts)
        {
            for (int i = 0; i < Tasks.Length; i++)
            {
                for (int j = 0; j < Tasks.Length; j++)
                {
                    cosine[i, j] += c.CosineOf(i, j) / conflicts.Count;
                }
            }
        }

        yield return new TaskRelation("gradient cosine", "cos(∇Lᵢ, ∇Lⱼ) on the trunk, mean over epochs; < 0: conflict", Tasks, Tasks, cosine);
        // TAG's Z scales with the step η, which the cosine schedule takes to 0: the mean over all measured steps.
        var affinity = new double[Tasks.Length, Tasks.Length];
        int steps = history.Epochs.Sum(e => e.Affinity!.Steps);
        foreach (var e in history.Epochs)
        {
            for (int i = 0; i < Tasks.Length; i++)
            {
                for (int j = 0; j < Tasks.Length; j++)
                {
                    affinity[i, j] += e.Affinity!.Of(i, j) * e.Affinity.Steps / steps;
                }
            }
        }

        yield return TaskRelations.Affinity(history.Epochs[^1].Affinity!) with { Values = affinity, Reading = "row i, column j: 1 − Lⱼ(θ − η∇Lᵢ)/Lⱼ(θ) per step, mean over training; > 0: a step for i helps j" };
    }

    private static (Dictionary<string, double> Mae, TimeSpan Time) Train(
        EnergyExample.EnergyData data, IMultiTaskModel<float> model, IMultiTaskMethod<float>? method, string[] tasks, int epochs, ulong seed)
    {
        var module = (Module<float>)model;
        var named = module.NamedParameters().Concat(method?.NamedParameters() ?? []);
        var optimizer = new Adam<float>(named, new AdamOptions { LearningRate = LearningRate });
        var trainer = new Trainer<float>(
            model,
            tasks.Select(t => new TrainingTask<float>(t, new MseLoss<float>())),
            optimizer,
            new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2, Method = method });
        var schedule = new LearningRateScheduler<float>(optimizer, new CosineAnnealingLR(epochs));
        trainer.EpochEnded += _ => schedule.Step();
        var clock = Stopwatch.StartNew();
        trainer.Fit(data.Train, data.Validation);
        var time = clock.Elapsed;
        // Evaluate reports kWh/m²: the test targets carry the pipeline's scalers.
        var result = trainer.Evaluate(data.Test);
        var mae = tasks.ToDictionary(t => t, t => result.Regression[t].Mae);
        return (mae, time);
    }

    private static Sequential<float> Trunk(SeededRandom random) =>
        new(new Linear<float>(In, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, Hidden, random), new ReLU<float>());

    /// <summary>One trunk 8→64→64, a Linear(64, 1) head per task.</summary>
    private static MultiTaskModel<float> Hard(ulong seed, string[]? tasks = null)
    {
        var random = new SeededRandom(seed + 1);
        var model = new MultiTaskModel<float>(Trunk(random));
        foreach (string task in tasks ?? Tasks)
        {
            model.AddHead(task, new Linear<float>(Hidden, 1, random));
        }

        return model;
    }

    /// <summary>Heating reads the whole trunk; cooling branches off after the first layer (depth 2) into a head
    /// with its own hidden layer, so the two share only the first layer.</summary>
    private static MultiTaskModel<float> Hierarchical(ulong seed)
    {
        var random = new SeededRandom(seed + 1);
        return new MultiTaskModel<float>(Trunk(random))
            .AddHead(Tasks[0], new Linear<float>(Hidden, 1, random))
            .AddHead(Tasks[1], new Sequential<float>(new Linear<float>(Hidden, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, 1, random)), depth: 2);
    }

    /// <summary>A full single-task network per task, pulled together by λ·Σ‖W_heating − W_cooling‖².</summary>
    private static SoftSharingModel<float> Soft(ulong seed)
    {
        var random = new SeededRandom(seed + 1);
        var model = new SoftSharingModel<float>(SoftLambda);
        foreach (string task in Tasks)
        {
            model.AddTower(task, new Sequential<float>(Trunk(random), new Linear<float>(Hidden, 1, random)));
        }

        return model;
    }

    /// <summary>A network per task with cross-stitch units after each hidden layer's activation.</summary>
    private static CrossStitchModel<float> CrossStitch(ulong seed)
    {
        var random = new SeededRandom(seed + 1);
        var towers = Tasks.Select(t => new KeyValuePair<string, Sequential<float>>(t, new Sequential<float>(
            new Linear<float>(In, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, 1, random)))).ToList();
        return new CrossStitchModel<float>(towers, [2, 4]);
    }

    /// <summary>CGC or PLE: per level one expert per task and two shared experts (CGC: 8→32→32, PLE: 8→32 then 32→32,
    /// ReLU), a Linear(32, 1) head per task.</summary>
    private static ProgressiveLayeredExtractionModel<float> Ple(ulong seed, int levels)
    {
        var random = new SeededRandom(seed + 1);
        var heads = Tasks.Select(t => new KeyValuePair<string, Layer<float>>(t, new Linear<float>(Hidden / 2, 1, random))).ToList();
        // CGC's one level gets experts as deep as MMoE's (8→32→32); PLE's depth comes from its levels.
        Func<int, int, SeededRandom, Layer<float>>? deep = levels == 1
            ? (i, o, r) => new Sequential<float>(new Linear<float>(i, Hidden / 2, r), new ReLU<float>(), new Linear<float>(Hidden / 2, o, r), new ReLU<float>())
            : null;
        return new ProgressiveLayeredExtractionModel<float>(In, [.. Enumerable.Repeat(Hidden / 2, levels)], taskExperts: 1, sharedExperts: 2, heads, random, deep);
    }

    /// <summary>Four experts 8→32→32 shared by per-task gates (softmax, or DSelect-k choosing 2), a Linear(32, 1) head per task.</summary>
    private static MixtureOfExpertsModel<float> MixtureOfExperts(ulong seed, bool dselect = false)
    {
        var random = new SeededRandom(seed + 1);
        var experts = Enumerable.Range(0, 4).Select(_ => (Layer<float>)new Sequential<float>(
            new Linear<float>(In, Hidden / 2, random), new ReLU<float>(), new Linear<float>(Hidden / 2, Hidden / 2, random), new ReLU<float>())).ToList();
        var model = new MixtureOfExpertsModel<float>(In, experts, random);
        foreach (string task in Tasks)
        {
            var head = new Linear<float>(Hidden / 2, 1, random);
            model = dselect ? model.AddTask(task, head, new DSelectKGate<float>(In, 4, k: 2, random)) : model.AddTask(task, head);
        }

        return model;
    }
}
