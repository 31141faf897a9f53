using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Metrics;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;
using ScottPlot;

namespace Mtl.Examples;

/// <summary>
/// The method-comparison harness: {architecture × method × seed} on a chosen data set, each run scored on the test
/// split per task (MAE for regression, accuracy for classification, in original units), summarised by LibMTL's Δm%
/// against single-task models of the same seed, as mean ± sd over seeds, with the time per training step. The
/// metric and Δm% columns are deterministic (the same command gives the same numbers); times are measured.
/// </summary>
public sealed class CompareExample : IExample
{
    private const int Hidden = 64;
    private const int DefaultSeeds = 3;
    private static readonly string[] DefaultArchitectures = ["hard", "mmoe", "ple"];

    /// <summary>The architectures by name.</summary>
    public static IReadOnlyList<(string Name, string Description)> Architectures { get; } =
    [
        ("hard", "shared trunk d→64→64, a linear head per task"),
        ("mmoe", "MMoE: 4 experts d→32→32, a softmax gate per task (Ma et al. 2018)"),
        ("dselect", "the same experts with DSelect-k gates, k = 2 (Hazimeh et al. 2021)"),
        ("cgc", "CGC: 1 expert per task and 2 shared, d→32→32 (Tang et al. 2020)"),
        ("ple", "PLE: 2 levels of 1 expert per task and 2 shared, 32 wide (Tang et al. 2020)"),
        ("cross-stitch", "a network d→32→32 per task, cross-stitch units after both layers (Misra et al. 2016)"),
    ];

    /// <inheritdoc />
    public string Name => "compare";

    /// <inheritdoc />
    public string Summary => "method-comparison harness: architectures × weighting/aggregation methods × seeds, Δm% against single-task models (--dataset energy|penguins, --archs, --methods, --seeds)";

    /// <inheritdoc />
    public int DefaultEpochs => 100;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var w = context.Out;
        var options = context.Options;
        var problem = Load(options.Dataset ?? "energy", context);
        string[] archs = List(options.Architectures, DefaultArchitectures, Architectures.Select(a => a.Name), "architecture");
        string[] methods = List(options.Methods, MethodCatalog.Default, MethodCatalog.All.Select(m => m.Name), "method");
        int seeds = options.Seeds ?? DefaultSeeds;
        int epochs = context.Epochs(DefaultEpochs);
        var taskInfo = problem.Tasks.Select(t => (t.Name, t.Kind)).ToArray();
        w.WriteLine($"data: {problem.Source}: {problem.Train.Rows} training, {problem.Validation.Rows} validation, {problem.Test.Rows} test rows; tasks {string.Join(", ", problem.Tasks.Select(t => $"{t.Name} ({t.Metric})"))}");
        w.WriteLine($"runs: {archs.Length} architectures × {methods.Length} methods × {seeds} seeds, plus single-task baselines; {epochs} epochs, batch {problem.BatchSize}, Adam lr {problem.LearningRate.ToString(CultureInfo.InvariantCulture)} with cosine annealing; seeds {options.Seed}..{options.Seed + (ulong)seeds - 1}");

        // Single-task baselines per seed: the hard-sharing trunk with one head.
        var single = new Dictionary<string, double>[seeds];
        for (int s = 0; s < seeds; s++)
        {
            single[s] = [];
            foreach (var task in problem.Tasks)
            {
                var run = Train(problem, "hard", [task], new MethodCatalog.Parts(null, null, null), epochs, options.Seed + (ulong)s);
                single[s][task.Name] = run.Metrics[task.Name];
            }
        }

        var headers = new List<string> { "architecture", "method" };
        headers.AddRange(problem.Tasks.Select(t => $"{t.Name} {t.Metric}"));
        headers.Add("Δm% (mean ± sd)");
        var table = new ConsoleTable([.. headers, "ms/step"]);
        var markdown = new ConsoleTable([.. headers]);
        string[] baseline = ["single-task", "–", .. problem.Tasks.Select(t => ConsoleTable.MeanSd([.. single.Select(r => r[t.Name])], 3)), "0"];
        table.Add([.. baseline, "–"]);
        markdown.Add(baseline);
        var points = new List<(string Arch, string Method, double Ms, double Delta)>();
        var failures = new List<string>();
        foreach (string arch in archs)
        {
            foreach (string method in methods)
            {
                var results = new Dictionary<string, double>[seeds];
                var deltas = new double[seeds];
                double ms = 0;
                string? failure = null;
                for (int s = 0; s < seeds && failure is null; s++)
                {
                    ulong seed = options.Seed + (ulong)s;
                    try
                    {
                        var run = Train(problem, arch, problem.Tasks, MethodCatalog.Create(method, taskInfo, (int)seed), epochs, seed);
                        results[s] = run.Metrics;
                        ms += run.MillisecondsPerStep / seeds;
                        deltas[s] = DeltaM.Percent([.. problem.Tasks.Select(t => new DeltaM.Entry(t.Name, run.Metrics[t.Name], single[s][t.Name], t.HigherIsBetter))]);
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                    {
                        // A pairing the method cannot serve, or a run it cannot finish (GLS once a loss reaches 0, a
                        // divergence): reported in the table, not hidden, and the other runs go on.
                        failure = $"seed {seed}: {e.Message}";
                    }
                }

                if (failure is not null)
                {
                    string[] row = [arch, method, .. problem.Tasks.Select(_ => "failed"), "failed"];
                    table.Add([.. row, "–"]);
                    markdown.Add(row);
                    failures.Add($"{arch} / {method}: {failure}");
                    w.WriteLine($"[{arch} / {method}] failed: {failure}");
                    continue;
                }

                string[] cells = [arch, method, .. problem.Tasks.Select(t => ConsoleTable.MeanSd([.. results.Select(r => r[t.Name])], 3)), ConsoleTable.MeanSd(deltas, 2)];
                table.Add([.. cells, ms.ToString("F3", CultureInfo.InvariantCulture)]);
                markdown.Add(cells);
                points.Add((arch, method, ms, deltas.Average()));
                w.WriteLine($"[{arch} / {method}] Δm% per seed: {string.Join(", ", deltas.Select(d => d.ToString("F2", CultureInfo.InvariantCulture)))}");
            }
        }

        w.WriteLine();
        w.WriteLine($"test split ({problem.Test.Rows} rows); metrics mean ± sd over {seeds} seeds; Δm% against the single-task models of the same seed (positive: better than single-task); ms/step measured (the other columns are deterministic):");
        w.Write(table.ToString());

        string command = $"dotnet run -c Release --project Mtl.Examples -- compare --dataset {problem.Name} --archs {string.Join(',', archs)} --methods {string.Join(',', methods)} --seeds {seeds} --epochs {epochs} --seed {options.Seed}"
            + (options.Rows is { } rows ? $" --rows {rows}" : string.Empty);
        string md = context.OutputPath("compare.md");
        string failed = failures.Count == 0 ? string.Empty : "\nRuns that failed:\n\n" + string.Concat(failures.Select(f => $"- {f}\n"));
        File.WriteAllText(md, $"# {problem.Name}: {string.Join(", ", archs)} × {string.Join(", ", methods)}\n\n```\n{command}\n```\n\n{markdown}{failed}");
        context.Wrote(md, "the table (deterministic columns) with its command");

        string png = context.OutputPath("compare.png");
        Scatter(png, $"{problem.Name}: Δm% against time per step", points, archs);
        context.Wrote(png, "Δm% against ms/step");
    }

    private static void Scatter(string path, string title, List<(string Arch, string Method, double Ms, double Delta)> points, string[] archs)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int a = 0; a < archs.Length; a++)
        {
            var mine = points.Where(p => p.Arch == archs[a]).ToArray();
            if (mine.Length == 0)
            {
                continue;
            }

            var scatter = plot.Add.ScatterPoints(mine.Select(p => p.Ms).ToArray(), mine.Select(p => p.Delta).ToArray(), palette.GetColor(a));
            scatter.LegendText = archs[a];
            scatter.MarkerSize = 9;
            foreach (var p in mine)
            {
                var label = plot.Add.Text(p.Method, p.Ms, p.Delta);
                label.LabelFontSize = 10;
                label.LabelFontColor = palette.GetColor(a);
                label.OffsetX = 5;
            }
        }

        var zero = plot.Add.HorizontalLine(0);
        zero.LinePattern = LinePattern.Dashed;
        zero.Color = Colors.Gray;
        plot.Title(title);
        plot.XLabel("ms per training step");
        plot.YLabel("Δm% against single-task (higher is better)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 1000, 620);
    }

    private sealed record TaskSpec(string Name, TaskKind Kind, int Outputs, string Metric, bool HigherIsBetter);

    private sealed record Problem(string Name, string Source, MultiTaskDataset<float> Train, MultiTaskDataset<float> Validation, MultiTaskDataset<float> Test, TaskSpec[] Tasks, int BatchSize, double LearningRate);

    private static Problem Load(string name, ExampleContext context)
    {
        switch (name)
        {
            case "energy":
            {
                string path = context.DataFile("energy-efficiency.csv");
                var data = ExampleContext.Load(path, () => EnergyExample.Prepare(path, context));
                return new Problem(name, path, data.Train, data.Validation, data.Test, [.. EnergyExample.Tasks.Select(t => new TaskSpec(t, TaskKind.Regression, 1, "MAE", false))], 32, 3e-3);
            }

            case "penguins":
            {
                string path = context.DataFile("penguins.csv");
                var schema = new TabularSchema { MissingFeatures = MissingFeaturePolicy.DropRow }
                    .Numeric("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "year")
                    .Categorical("island")
                    .Classification("species")
                    .Classification("sex")
                    .Regression("body_mass_g");
                var (train, validation, test) = ExampleContext.Load(path, () =>
                {
                    var table = TabularLoader.Read(path, schema);
                    var split = DataSplit.Random(table.Rows.Count, 0.7, 0.15, context.Options.Seed);
                    // --rows takes a random subset of the training rows (the file is sorted by species).
                    var order = new SeededRandom(context.Options.Seed + 5).Permutation(split.Train.Length);
                    int[] rows = [.. order.Take(context.Rows(split.Train.Length)).Select(i => split.Train[i]).Order()];
                    var pipeline = TabularPipeline.Fit(table, schema, rows);
                    return (pipeline.Transform<float>(table, rows), pipeline.Transform<float>(table, split.Validation), pipeline.Transform<float>(table, split.Test));
                });
                return new Problem(name, path, train, validation, test, [
                    new("species", TaskKind.Classification, train.Task("species").ClassNames.Count, "accuracy", true),
                    new("sex", TaskKind.Classification, train.Task("sex").ClassNames.Count, "accuracy", true),
                    new("body_mass_g", TaskKind.Regression, 1, "MAE", false)], 16, 3e-3);
            }

            default:
                throw new UsageException($"unknown data set '{name}' for compare; the data sets are energy and penguins.");
        }
    }

    private static (Dictionary<string, double> Metrics, double MillisecondsPerStep) Train(Problem problem, string arch, IReadOnlyList<TaskSpec> tasks, MethodCatalog.Parts method, int epochs, ulong seed)
    {
        var model = Build(arch, problem.Train.Features.Shape[1], tasks, seed);
        var module = (Module<float>)model;
        var optimizer = new Adam<float>(module.NamedParameters().Concat(method.LearnedParameters()), new AdamOptions { LearningRate = problem.LearningRate });
        var trainer = new Trainer<float>(
            model,
            tasks.Select(t => new TrainingTask<float>(t.Name, t.Kind == TaskKind.Regression ? new MseLoss<float>() : new CrossEntropyLoss<float>())),
            optimizer,
            new TrainerOptions<float> { Epochs = epochs, BatchSize = problem.BatchSize, Seed = seed + 2, Weighting = method.Weighting, GradientCombiner = method.Combiner, Method = method.Method });
        var schedule = new LearningRateScheduler<float>(optimizer, new CosineAnnealingLR(epochs));
        trainer.EpochEnded += _ => schedule.Step();
        var clock = Stopwatch.StartNew();
        trainer.Fit(problem.Train, problem.Validation);
        double ms = clock.Elapsed.TotalMilliseconds / (epochs * (double)((problem.Train.Rows + problem.BatchSize - 1) / problem.BatchSize));
        var result = trainer.Evaluate(problem.Test);
        var metrics = tasks.ToDictionary(t => t.Name, t => t.Kind == TaskKind.Regression ? result.Regression[t.Name].Mae : result.Classification[t.Name].Accuracy);
        return (metrics, ms);
    }

    private static IMultiTaskModel<float> Build(string arch, int inputs, IReadOnlyList<TaskSpec> tasks, ulong seed)
    {
        var random = new SeededRandom(seed + 1);
        int half = Hidden / 2;
        Sequential<float> Deep(int i, int o, SeededRandom r) => new(new Linear<float>(i, half, r), new ReLU<float>(), new Linear<float>(half, o, r), new ReLU<float>());
        List<KeyValuePair<string, Layer<float>>> Heads(int width) => [.. tasks.Select(t => new KeyValuePair<string, Layer<float>>(t.Name, new Linear<float>(width, t.Outputs, random)))];
        switch (arch)
        {
            case "hard":
            {
                var model = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(inputs, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, Hidden, random), new ReLU<float>()));
                foreach (var t in tasks)
                {
                    model.AddHead(t.Name, new Linear<float>(Hidden, t.Outputs, random));
                }

                return model;
            }

            case "mmoe" or "dselect":
            {
                var model = new MixtureOfExpertsModel<float>(inputs, [.. Enumerable.Range(0, 4).Select(_ => (Layer<float>)Deep(inputs, half, random))], random);
                foreach (var (task, head) in Heads(half))
                {
                    model = arch == "mmoe" ? model.AddTask(task, head) : model.AddTask(task, head, new DSelectKGate<float>(inputs, 4, k: 2, random));
                }

                return model;
            }

            case "cgc":
                return ProgressiveLayeredExtractionModel<float>.Cgc(inputs, half, 1, 2, Heads(half), random, Deep);
            case "ple":
                return new ProgressiveLayeredExtractionModel<float>(inputs, [half, half], 1, 2, Heads(half), random);
            case "cross-stitch":
                return new CrossStitchModel<float>(
                    [.. tasks.Select(t => new KeyValuePair<string, Sequential<float>>(t.Name, new Sequential<float>(
                        new Linear<float>(inputs, half, random), new ReLU<float>(), new Linear<float>(half, half, random), new ReLU<float>(), new Linear<float>(half, t.Outputs, random))))],
                    [2, 4]);
            default:
                throw new UsageException($"unknown architecture '{arch}'; the architectures are {string.Join(", ", Architectures.Select(a => a.Name))}.");
        }
    }

    private static string[] List(string? given, IEnumerable<string> defaults, IEnumerable<string> known, string what)
    {
        var names = given is null ? [.. defaults] : given.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var valid = known.ToHashSet();
        foreach (string n in names)
        {
            if (!valid.Contains(n))
            {
                throw new UsageException($"unknown {what} '{n}'; the {what}s are {string.Join(", ", valid)}.");
            }
        }

        return names.Length > 0 ? names : throw new UsageException($"--{what}s needs at least one name.");
    }

}
