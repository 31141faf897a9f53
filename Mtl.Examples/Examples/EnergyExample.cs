using System.Diagnostics;
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
/// Hard parameter sharing on UCI Energy Efficiency: one trunk with a heating-load head and a cooling-load
/// head, against two single-task models with the same trunk, trained with the same budget (epochs,
/// batch size, optimizer). Test metrics are in the original units (kWh/m²): predictions are mapped back
/// through the target standardisers fitted on the training split.
/// </summary>
public sealed class EnergyExample : IExample
{
    private const int Hidden = 64;
    private const int BatchSize = 32;
    private const double LearningRate = 3e-3;
    internal static readonly string[] Tasks = ["heating_load", "cooling_load"];
    internal static readonly string[] Features =
        ["relative_compactness", "surface_area", "wall_area", "roof_area", "overall_height", "orientation", "glazing_area", "glazing_area_distribution"];

    /// <inheritdoc />
    public string Name => "energy";

    /// <inheritdoc />
    public string Summary => "hard sharing vs single-task models: heating and cooling load of buildings (regression)";

    /// <inheritdoc />
    public int DefaultEpochs => 150;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string path = context.DataFile("energy-efficiency.csv");
        var data = ExampleContext.Load(path, () => Prepare(path, context));
        var w = context.Out;
        w.WriteLine($"data: {path}: {data.Train.Rows} training, {data.Validation.Rows} validation, {data.Test.Rows} test rows; features and targets standardised on the training rows (progress lines show losses and MAE on that scale)");

        int epochs = context.Epochs(DefaultEpochs);

        // An untimed run first: JIT compilation (and tiered re-compilation of the hot loops) would otherwise
        // be charged to whichever model trains first.
        _ = Train(context, "warm-up", Tasks, data, epochs: 40, report: false);
        var shared = Train(context, "hard sharing", Tasks, data, epochs);
        var singles = Tasks.Select(t => Train(context, "single " + t, [t], data, epochs)).ToArray();

        var table = new ConsoleTable("model", "parameters", "heating R²", "heating MAE", "cooling R²", "cooling MAE", "train time");
        table.Add(Row("hard sharing (one model)", shared));
        foreach (var s in singles)
        {
            table.Add(Row($"single-task {s.Tasks[0]}", s));
        }

        table.Add(
            "single-task, both models",
            singles.Sum(s => s.Parameters).ToString(System.Globalization.CultureInfo.InvariantCulture),
            string.Empty,
            string.Empty,
            string.Empty,
            string.Empty,
            ConsoleTable.Seconds(singles.Aggregate(TimeSpan.Zero, (a, s) => a + s.Time)));
        w.WriteLine();
        w.WriteLine($"test split ({data.Test.Rows} rows), {epochs} epochs each, batch {BatchSize}, Adam lr {LearningRate} with cosine annealing; MAE in kWh/m²:");
        w.Write(table.ToString());

        string plot = context.OutputPath("energy-curves.png");
        var curves = Plots.LossCurves(shared.History, Tasks).ToList();
        for (int t = 0; t < Tasks.Length; t++)
        {
            curves.Add(new Series($"{Tasks[t]} validation, single-task", Plots.Epochs(singles[t].History), Plots.ValidationLoss(singles[t].History, Tasks[t]), t, LinePattern.Dotted));
        }

        Plots.Lines(plot, "Energy efficiency: hard sharing (solid train, dashed validation) vs single-task (dotted)", "epoch", "MSE on standardised targets", curves, logY: true);
        context.Wrote(plot, "training curves");
    }

    private static string[] Row(string name, TrainedModel run)
    {
        var cells = new List<string> { name, run.Parameters.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (string task in Tasks)
        {
            var r = run.Test.GetValueOrDefault(task);
            cells.Add(ConsoleTable.Number(r?.R2, 4));
            cells.Add(ConsoleTable.Number(r?.Mae, 3));
        }

        cells.Add(ConsoleTable.Seconds(run.Time));
        return [.. cells];
    }

    private static TrainedModel Train(ExampleContext context, string label, string[] tasks, EnergyData data, int epochs, bool report = true)
    {
        ulong seed = context.Options.Seed;
        var random = new SeededRandom(seed + 1);
        var trunk = new Sequential<float>(new Linear<float>(Features.Length, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, Hidden, random), new ReLU<float>());
        var model = new MultiTaskModel<float>(trunk);
        foreach (string task in tasks)
        {
            model.AddHead(task, new Linear<float>(Hidden, 1, random));
        }

        var optimizer = new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = LearningRate });
        var trainer = new Trainer<float>(
            model,
            tasks.Select(t => new TrainingTask<float>(t, new MseLoss<float>())),
            optimizer,
            new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2 });
        if (report)
        {
            Progress.Attach(trainer, context.Out, label, Progress.Interval(epochs, 5));
        }

        // Cosine annealing to zero settles the last epochs, so the comparison is not read off a noisy step.
        var schedule = new LearningRateScheduler<float>(optimizer, new CosineAnnealingLR(epochs));
        trainer.EpochEnded += _ => schedule.Step();

        var clock = Stopwatch.StartNew();
        var history = trainer.Fit(data.Train, data.Validation);
        var time = clock.Elapsed;

        // Metrics in kWh/m²: the test set's targets carry the pipeline's scalers, so Evaluate maps predictions and targets back.
        var result = trainer.Evaluate(data.Test);
        var test = tasks.ToDictionary(t => t, t => result.Regression[t]);
        return new TrainedModel(tasks, history, test, time, model.ParameterCount);
    }

    /// <summary>The 70/15/15 split of the data (by the options' seed), standardised on the training rows; the test rows also unscaled.</summary>
    internal static EnergyData Prepare(string path, ExampleContext context)
    {
        var schema = new TabularSchema().Numeric(Features);
        foreach (string task in Tasks)
        {
            schema.Regression(task);
        }

        // One pipeline fitted on the training rows: the same scaling for every split, and back to kWh/m² for the metrics.
        var table = TabularLoader.Read(path, schema);
        var split = DataSplit.Random(table.Rows.Count, 0.7, 0.15, context.Options.Seed);
        int[] train = split.Train[..context.Rows(split.Train.Length)];
        var pipeline = TabularPipeline.Fit(table, schema, train);
        return new EnergyData(pipeline.Transform<float>(table, train), pipeline.Transform<float>(table, split.Validation), pipeline.Transform<float>(table, split.Test));
    }

    internal sealed record EnergyData(
        MultiTaskDataset<float> Train,
        MultiTaskDataset<float> Validation,
        MultiTaskDataset<float> Test);

    private sealed record TrainedModel(string[] Tasks, TrainingHistory History, Dictionary<string, RegressionReport> Test, TimeSpan Time, long Parameters);
}
