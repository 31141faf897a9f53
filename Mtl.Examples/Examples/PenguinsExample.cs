using System.Diagnostics;
using System.Globalization;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Metrics;
using Mtl.Training.Optim;
using ScottPlot;

namespace Mtl.Examples;

/// <summary>
/// Mixed heads on Palmer Penguins: species (3 classes) and sex (2 classes) classification and body-mass
/// regression from bill and flipper measurements, island and year. A row whose label is missing (sex is
/// NA for 9 birds) stays in the data with that task's mask at 0, so it still teaches the other heads;
/// the two rows without any measurement cannot be inputs and are dropped, and both are reported.
/// </summary>
public sealed class PenguinsExample : IExample
{
    private const int Hidden = 32;
    private const int BatchSize = 16;
    private const double LearningRate = 3e-3;
    private const int Patience = 30;
    private const string Mass = "body_mass_g";
    private static readonly string[] Classification = ["species", "sex"];
    private static readonly string[] Tasks = [.. Classification, Mass];

    /// <inheritdoc />
    public string Name => "penguins";

    /// <inheritdoc />
    public string Summary => "mixed heads: species and sex (classification) and body mass (regression), missing labels masked";

    /// <inheritdoc />
    public int DefaultEpochs => 200;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var w = context.Out;
        string path = context.DataFile("penguins.csv");
        var data = ExampleContext.Load(path, () => Prepare(path, context));
        var all = data.All;
        w.WriteLine($"data: {path}: {all.Rows + all.DroppedRows.Count} rows; {all.DroppedRows.Count} dropped because their inputs are missing (file rows {string.Join(", ", all.DroppedRows)})");
        w.WriteLine($"features ({all.FeatureNames.Count}): {string.Join(", ", all.FeatureNames)}");
        foreach (var t in all.Tasks)
        {
            string kind = t.Kind == TaskKind.Regression ? "regression" : $"{t.ClassNames.Count} classes ({string.Join(", ", t.ClassNames)})";
            w.WriteLine($"task {t.Name}: {kind}; {t.Rows - t.PresentCount} of {t.Rows} rows have no label: masked for this task, kept for the others");
        }

        w.WriteLine($"split 70/15/15: {data.Train.Rows} training, {data.Validation.Rows} validation, {data.Test.Rows} test rows");

        ulong seed = context.Options.Seed;
        var random = new SeededRandom(seed + 1);
        int features = all.FeatureNames.Count;
        var trunk = new Sequential<float>(new Linear<float>(features, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, Hidden, random), new ReLU<float>());
        var model = new MultiTaskModel<float>(trunk)
            .AddHead("species", new Linear<float>(Hidden, all.Task("species").ClassNames.Count, random))
            .AddHead("sex", new Linear<float>(Hidden, all.Task("sex").ClassNames.Count, random))
            .AddHead(Mass, new Linear<float>(Hidden, 1, random));

        int epochs = context.Epochs(DefaultEpochs);
        var optimizer = new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = LearningRate });
        var trainer = new Trainer<float>(
            model,
            [new("species", new CrossEntropyLoss<float>()), new("sex", new CrossEntropyLoss<float>()), new(Mass, new MseLoss<float>())],
            optimizer,
            new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2, EarlyStoppingMetric = "val_loss", Patience = Patience });
        Progress.Attach(trainer, w, "penguins", Progress.Interval(epochs));

        var clock = Stopwatch.StartNew();
        var history = trainer.Fit(data.Train, data.Validation);
        var time = clock.Elapsed;
        w.WriteLine(history.StoppedEarly
            ? $"early stopping after epoch {history.Epochs.Count}: validation loss best at epoch {history.BestEpoch}, whose parameters are restored"
            : $"trained {history.Epochs.Count} epochs");

        var result = trainer.Evaluate(data.Test);
        var mass = TaskMetrics.Regression(data.TestOriginal.Task(Mass), trainer.Predict(data.Test)[Mass], data.MassScaler);
        var table = new ConsoleTable("model", "species acc", "species F1", "sex acc", "sex F1", "body mass R²", "body mass MAE (g)");
        table.Add(
            "hard sharing, 3 heads",
            ConsoleTable.Number(result.Classification["species"].Accuracy, 3),
            ConsoleTable.Number(result.Classification["species"].MacroF1, 3),
            ConsoleTable.Number(result.Classification["sex"].Accuracy, 3),
            ConsoleTable.Number(result.Classification["sex"].MacroF1, 3),
            ConsoleTable.Number(mass.R2, 3),
            ConsoleTable.Number(mass.Mae, 1));
        table.Add(Baseline(data));

        w.WriteLine();
        var test = data.Test;
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test split: {test.Rows} rows ({string.Join(", ", Tasks.Select(t => $"{t} {test.Task(t).PresentCount} labelled"))}); masked rows are left out of each task's metrics; training took {ConsoleTable.Seconds(time)}:"));
        foreach (string task in Classification)
        {
            var t = test.Task(task);
            w.WriteLine($"test {task} labels: {string.Join(", ", t.ClassNames.Select((name, c) => $"{name} {Enumerable.Range(0, t.Rows).Count(i => t.Mask[i] != 0 && t.Classes![i] == c)}"))}");
        }

        w.Write(table.ToString());

        string curves = context.OutputPath("penguins-curves.png");
        Plots.Lines(curves, "Penguins: loss per head (solid train, dashed validation)", "epoch", "loss (cross-entropy; MSE on standardised mass)", Plots.LossCurves(history, Tasks), logY: true, bestEpoch: Plots.RestoredBestEpoch(history));
        context.Wrote(curves, "training curves");

        string metrics = context.OutputPath("penguins-validation-metrics.png");
        var x = Plots.Epochs(history);
        Plots.Lines(
            metrics,
            "Penguins: validation metrics per head",
            "epoch",
            "accuracy / R²",
            [
                new Series("species accuracy", x, Plots.ValidationMetric(history, "species.accuracy"), 0, LinePattern.Solid),
                new Series("sex accuracy", x, Plots.ValidationMetric(history, "sex.accuracy"), 1, LinePattern.Solid),
                new Series("body mass R²", x, Plots.ValidationMetric(history, Mass + ".r2"), 2, LinePattern.Solid),
            ],
            bestEpoch: Plots.RestoredBestEpoch(history));
        context.Wrote(metrics, "validation metrics");
    }

    /// <summary>The majority class of each classification task and the mean body mass, from the training rows.</summary>
    private static string[] Baseline(PenguinData data)
    {
        var cells = new List<string> { "baseline: majority class, mean mass" };
        foreach (string task in Classification)
        {
            var train = data.Train.Task(task);
            var test = data.Test.Task(task);
            var counts = new int[train.ClassNames.Count];
            for (int i = 0; i < train.Rows; i++)
            {
                if (train.Mask[i] != 0)
                {
                    counts[train.Classes![i]]++;
                }
            }

            int majority = Array.IndexOf(counts, counts.Max());
            var predicted = Enumerable.Repeat(majority, test.Rows).ToArray();
            cells.Add(ConsoleTable.Number(ClassificationMetrics.Accuracy<float>(predicted, test.Classes!, test.Mask.ReadOnlySpan), 3));
            cells.Add(ConsoleTable.Number(ClassificationMetrics.MacroF1<float>(predicted, test.Classes!, test.ClassNames.Count, test.Mask.ReadOnlySpan), 3));
        }

        // The standardised training mean is 0, so the constant prediction is the scaler's mean in grams.
        var target = data.TestOriginal.Task(Mass);
        var mean = Tensor.Full((float)data.MassScaler.Mean[0], target.Rows, 1);
        var report = TaskMetrics.Regression(target, mean);
        cells.Add(ConsoleTable.Number(report.R2, 3));
        cells.Add(ConsoleTable.Number(report.Mae, 1));
        return [.. cells];
    }

    private static PenguinData Prepare(string path, ExampleContext context)
    {
        var schema = new TabularSchema { MissingFeatures = MissingFeaturePolicy.DropRow }
            .Numeric("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "year")
            .Categorical("island")
            .Classification("species")
            .Classification("sex")
            .Regression(Mass);
        var all = TabularLoader.Load<float>(path, schema);
        var split = DataSplit.Random(all.Rows, 0.7, 0.15, context.Options.Seed);
        var train = all.Subset(split.Train.AsSpan(0, context.Rows(split.Train.Length)));
        var features = train.FitFeatureStandardizer();
        var mass = train.FitTargetStandardizer(Mass);
        MultiTaskDataset<float> Scale(MultiTaskDataset<float> d) => d.StandardizeFeatures(features).StandardizeTarget(Mass, mass);
        var test = all.Subset(split.Test).StandardizeFeatures(features);
        return new PenguinData(all, Scale(train), Scale(all.Subset(split.Validation)), test.StandardizeTarget(Mass, mass), test, mass);
    }

    private sealed record PenguinData(
        MultiTaskDataset<float> All,
        MultiTaskDataset<float> Train,
        MultiTaskDataset<float> Validation,
        MultiTaskDataset<float> Test,
        MultiTaskDataset<float> TestOriginal,
        Standardizer<float> MassScaler);
}
