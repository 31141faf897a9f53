using System.Diagnostics;
using System.Globalization;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Metrics;
using Mtl.Training.Optim;

namespace Mtl.Examples;

/// <summary>
/// A CNN feature extractor with a class head and an attribute head, the classic multi-task set-up of
/// image recognition: one Fashion-MNIST image, a 10-way class head (softmax cross-entropy) and one head of
/// K = 5 binary attributes (sigmoid cross-entropy per attribute, a multi-label task). The attributes are
/// derived from the class by the table in <see cref="AttributeClasses"/>; one of them is hidden on part of the
/// training rows to show per-attribute masks. The same trunk is trained for the class alone, the attributes
/// alone and both together, and the table says what the second task changes.
/// </summary>
public sealed class AttributesExample : IExample
{
    private const int BatchSize = 64;
    private const double LearningRate = 2e-3;
    private const int TrainImages = 8000;

    /// <summary>
    /// The attributes and the classes that have them, a convention written for this example (Fashion-MNIST
    /// labels classes only): footwear (sandal, sneaker, ankle boot), upper body (T-shirt/top, pullover, dress,
    /// coat, shirt), long sleeves (pullover, coat, shirt — the data set's shirts are mostly long-sleeved),
    /// lower body (trouser, dress), accessory (bag).
    /// </summary>
    public static readonly (string Name, int[] Classes)[] AttributeClasses =
    [
        ("footwear", [5, 7, 9]),
        ("upper_body", [0, 2, 3, 4, 6]),
        ("long_sleeves", [2, 4, 6]),
        ("lower_body", [1, 3]),
        ("accessory", [8]),
    ];

    /// <summary>The attribute hidden (masked) on every third training image, to show per-attribute masks.</summary>
    private const int MaskedAttribute = 2;

    /// <inheritdoc />
    public string Name => "attributes";

    /// <inheritdoc />
    public string Summary => "CNN with a class head and a multi-label attribute head on Fashion-MNIST";

    /// <inheritdoc />
    public int DefaultEpochs => 8;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var w = context.Out;
        ulong seed = context.Options.Seed;
        var (train, validation, test, source) = Load(context);
        w.WriteLine($"data: {source}");
        w.WriteLine($"images [N, 1, 28, 28]: {train.Rows} training, {validation.Rows} validation, {test.Rows} test");
        w.WriteLine($"attributes ({AttributeClasses.Length}, derived from the class): {string.Join("; ", AttributeClasses.Select(a => $"{a.Name} = {string.Join(", ", a.Classes.Select(c => FashionMnist.ClassNames[c]))}"))}");
        w.WriteLine($"'{AttributeClasses[MaskedAttribute].Name}' is missing on every third training image (attribute mask 0)");

        int epochs = context.Epochs(DefaultEpochs);
        w.WriteLine($"model: conv 3×3 ×8 - relu - maxpool 2 - conv 3×3 ×16 - relu - maxpool 2 - flatten - linear 64 - relu; heads class linear 64→10 (cross-entropy), attributes linear 64→{AttributeClasses.Length} (BCE with logits)");
        w.WriteLine($"training: {epochs} epochs, batch {BatchSize}, Adam lr {LearningRate}, {MtlThreads.Count} threads, the same initial trunk for every model");

        var table = new ConsoleTable("model", "class accuracy", "class macro-F1", "attribute accuracy", "attribute macro-F1", "attribute AUC", "consistent", "time");
        EvaluationResult? both = null;
        TrainingHistory? bothHistory = null;
        foreach (var (label, tasks) in new (string, string[])[] { ("class only", ["class"]), ("attributes only", ["attributes"]), ("class + attributes", ["class", "attributes"]) })
        {
            var model = Model(tasks, seed);
            var trainer = new Trainer<float>(
                model,
                tasks.Select(t => new TrainingTask<float>(t, t == "class" ? new CrossEntropyLoss<float>() : new BceWithLogitsLoss<float>())),
                new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = LearningRate }),
                new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2 });
            Progress.Attach(trainer, w, label, Progress.Interval(epochs, 4));
            var clock = Stopwatch.StartNew();
            var history = trainer.Fit(Only(train, tasks), Only(validation, tasks));
            var time = clock.Elapsed;
            var result = trainer.Evaluate(Only(test, tasks));
            var c = result.Classification.GetValueOrDefault("class");
            var a = result.MultiLabel.GetValueOrDefault("attributes");
            string consistent = c is null || a is null ? "–" : ConsoleTable.Number(Consistency(trainer.Predict(test)), 4);
            table.Add(label, ConsoleTable.Number(c?.Accuracy, 4), ConsoleTable.Number(c?.MacroF1, 4), ConsoleTable.Number(a?.Accuracy, 4), ConsoleTable.Number(a?.MacroF1, 4), ConsoleTable.Number(a?.RocAuc, 4), consistent, ConsoleTable.Seconds(time));
            if (tasks.Length == 2)
            {
                (both, bothHistory) = (result, history);
            }
        }

        w.WriteLine();
        w.WriteLine($"test images ({test.Rows}); consistent: the predicted attributes are exactly those of the predicted class");
        w.Write(table.ToString());

        var attributes = new ConsoleTable("attribute", "test positives", "accuracy", "F1", "AUC");
        foreach (var r in both!.MultiLabel["attributes"].Attributes)
        {
            attributes.Add(r.Attribute, $"{r.Positives} of {r.Count}", ConsoleTable.Number(r.Accuracy, 4), ConsoleTable.Number(r.F1, 4), ConsoleTable.Number(r.RocAuc, 4));
        }

        w.WriteLine();
        w.WriteLine("class + attributes, per attribute on the test images:");
        w.Write(attributes.ToString());

        string curves = context.OutputPath("attributes-curves.png");
        Plots.Lines(curves, "Fashion-MNIST: class and attribute heads (solid train, dashed validation)", "epoch", "loss", Plots.LossCurves(bothHistory!, ["class", "attributes"]), logY: true);
        context.Wrote(curves, "training curves of the two-head model");
    }

    /// <summary>The trunk and the heads of <paramref name="tasks"/>; the trunk's initial weights depend on the seed only.</summary>
    private static MultiTaskModel<float> Model(string[] tasks, ulong seed)
    {
        var random = new SeededRandom(seed + 1);
        var trunk = new Sequential<float>(
            new Conv2d<float>(1, 8, 3, random, padding: 1), new ReLU<float>(), new MaxPool2d<float>(2),
            new Conv2d<float>(8, 16, 3, random, padding: 1), new ReLU<float>(), new MaxPool2d<float>(2),
            new Flatten<float>(),
            new Linear<float>(16 * 7 * 7, 64, random), new ReLU<float>());
        var model = new MultiTaskModel<float>(trunk);
        var heads = new SeededRandom(seed + 3);
        var classHead = new Linear<float>(64, FashionMnist.ClassNames.Count, heads);
        var attributeHead = new Linear<float>(64, AttributeClasses.Length, heads);
        if (tasks.Contains("class"))
        {
            model.AddHead("class", classHead);
        }

        if (tasks.Contains("attributes"))
        {
            model.AddHead("attributes", attributeHead);
        }

        return model;
    }

    /// <summary>The fraction of rows whose predicted attributes (logit &gt; 0) are exactly those of the predicted class.</summary>
    private static double Consistency(IReadOnlyDictionary<string, Tensor<float>> predictions)
    {
        int[] classes = ClassificationMetrics.ArgMax(predictions["class"]);
        var logits = predictions["attributes"];
        int agree = 0;
        for (int i = 0; i < classes.Length; i++)
        {
            bool same = true;
            for (int a = 0; a < AttributeClasses.Length; a++)
            {
                same &= (logits[i, a] > 0) == AttributeClasses[a].Classes.Contains(classes[i]);
            }

            agree += same ? 1 : 0;
        }

        return (double)agree / classes.Length;
    }

    /// <summary>The data set with only <paramref name="tasks"/>.</summary>
    private static MultiTaskDataset<float> Only(MultiTaskDataset<float> data, string[] tasks) =>
        new(data.Features, data.FeatureNames, data.ScalableColumns, data.Embeddings, [.. data.Tasks.Where(t => tasks.Contains(t.Name))]);

    /// <summary>Images with the tasks "class" and "attributes"; <paramref name="maskEvery"/> &gt; 0 hides
    /// <see cref="MaskedAttribute"/> on every that many rows.</summary>
    public static MultiTaskDataset<float> WithAttributes(MultiTaskDataset<float> images, int maskEvery = 0)
    {
        var label = images.Task("label");
        int n = images.Rows, k = AttributeClasses.Length;
        var values = new Tensor<float>(n, k);
        var known = new Tensor<float>(n, k);
        for (int i = 0; i < n; i++)
        {
            for (int a = 0; a < k; a++)
            {
                values[i, a] = AttributeClasses[a].Classes.Contains(label.Classes![i]) ? 1 : 0;
                known[i, a] = a == MaskedAttribute && maskEvery > 0 && i % maskEvery == 0 ? 0 : 1;
            }
        }

        var classes = TaskTarget<float>.Classification("class", label.Classes!, label.ClassNames, label.Mask);
        var attributes = TaskTarget<float>.MultiLabel("attributes", values, [.. AttributeClasses.Select(a => a.Name)], maskEvery > 0 ? known : null);
        return new MultiTaskDataset<float>(images.Features, [], [], [], [classes, attributes]);
    }

    /// <summary>Training images from the full training split when installed, else 80/10/10 of the bundled 10,000.</summary>
    private static (MultiTaskDataset<float> Train, MultiTaskDataset<float> Validation, MultiTaskDataset<float> Test, string Source) Load(ExampleContext context)
    {
        ulong seed = context.Options.Seed;
        string images = context.DataFile("fashion-mnist/t10k-images-idx3-ubyte.gz");
        string labels = context.DataFile("fashion-mnist/t10k-labels-idx1-ubyte.gz");
        var t10k = ExampleContext.Load(images, () => FashionMnist.Load<float>(images, labels));
        if (FashionExample.FullTrainingSet() is var (trainImages, trainLabels))
        {
            var full = ExampleContext.Load(trainImages, () => FashionMnist.Load<float>(trainImages, trainLabels));
            var halves = DataSplit.Random(t10k.Rows, 0.5, 0.5, seed);
            int rows = context.Rows(TrainImages);
            return (
                WithAttributes(full.Subset(Pick(Enumerable.Range(0, full.Rows).ToArray(), rows, seed + 10)), maskEvery: 3),
                WithAttributes(t10k.Subset(Pick(halves.Train, Math.Max(100, rows / 4), seed + 11))),
                WithAttributes(t10k.Subset(Pick(halves.Validation, Math.Max(200, rows / 2), seed + 12))),
                $"{trainImages} for training, {images} for validation and test");
        }

        var split = DataSplit.Random(t10k.Rows, 0.8, 0.1, seed);
        int train = context.Rows(split.Train.Length);
        return (
            WithAttributes(t10k.Subset(Pick(split.Train, train, seed + 10)), maskEvery: 3),
            WithAttributes(t10k.Subset(Pick(split.Validation, Math.Max(100, train / 4), seed + 11))),
            WithAttributes(t10k.Subset(Pick(split.Test, Math.Max(200, train / 2), seed + 12))),
            string.Create(CultureInfo.InvariantCulture, $"{images} ({t10k.Rows} images, split 80/10/10); `apt-get install dataset-fashion-mnist` adds the 60,000 training images"));
    }

    /// <summary>At most <paramref name="count"/> of <paramref name="rows"/>, drawn at random by <paramref name="seed"/>.</summary>
    private static int[] Pick(int[] rows, int count, ulong seed)
    {
        var order = new SeededRandom(seed).Permutation(rows.Length);
        return [.. order.Take(Math.Min(count, rows.Length)).Select(i => rows[i])];
    }
}
