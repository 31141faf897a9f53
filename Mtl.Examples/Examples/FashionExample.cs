using System.Diagnostics;
using System.Globalization;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;

namespace Mtl.Examples;

/// <summary>
/// A multi-task CNN on Fashion-MNIST: each example puts two items side by side (28×56 pixels), and two
/// heads on one convolutional trunk name the left and the right item. The labels are independent, so
/// the trunk must keep position; the shared part learns what a garment looks like once for both heads.
/// Pairs for training, validation and test are built from disjoint sets of source images.
/// </summary>
public sealed class FashionExample : IExample
{
    /// <summary>Where Debian's dataset-fashion-mnist installs the full data set.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    private const int BatchSize = 64;
    private const double LearningRate = 2e-3;
    private const int TrainPairs = 24000;
    private const int ValidationPairs = 1000;
    private const int TestPairs = 2000;
    private static readonly string[] Tasks = ["left", "right"];

    /// <inheritdoc />
    public string Name => "fashion";

    /// <inheritdoc />
    public string Summary => "CNN with two heads on Fashion-MNIST pairs: classify the left and the right item";

    /// <inheritdoc />
    public int DefaultEpochs => 12;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var w = context.Out;
        ulong seed = context.Options.Seed;
        var (train, validation, test, source) = LoadPairs(context);
        w.WriteLine($"data: {source}");
        w.WriteLine($"pairs [N, 1, 28, 56]: {train.Rows} training, {validation.Rows} validation, {test.Rows} test (built from disjoint source images)");

        var random = new SeededRandom(seed + 1);
        var trunk = new Sequential<float>(
            new Conv2d<float>(1, 8, 3, random, padding: 1), new ReLU<float>(), new MaxPool2d<float>(2),
            new Conv2d<float>(8, 16, 3, random, padding: 1), new ReLU<float>(), new MaxPool2d<float>(2),
            new Flatten<float>(),
            new Linear<float>(16 * 7 * 14, 64, random), new ReLU<float>());
        var model = new MultiTaskModel<float>(trunk);
        foreach (string task in Tasks)
        {
            model.AddHead(task, new Linear<float>(64, FashionMnist.ClassNames.Count, random));
        }

        int epochs = context.Epochs(DefaultEpochs);
        w.WriteLine($"model: conv 3×3 ×8 - relu - maxpool 2 - conv 3×3 ×16 - relu - maxpool 2 - flatten - linear 64 - relu, heads linear 64→10 ×2; {model.ParameterCount} parameters");
        w.WriteLine($"training: {epochs} epochs, batch {BatchSize}, Adam lr {LearningRate} with cosine annealing, cross-entropy per head, {MtlThreads.Count} threads");
        var optimizer = new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = LearningRate });
        var trainer = new Trainer<float>(
            model,
            Tasks.Select(t => new TrainingTask<float>(t, new CrossEntropyLoss<float>())),
            optimizer,
            new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2 });
        Progress.Attach(trainer, w, "cnn");
        var schedule = new LearningRateScheduler<float>(optimizer, new CosineAnnealingLR(epochs));
        trainer.EpochEnded += _ => schedule.Step();

        var clock = Stopwatch.StartNew();
        var history = trainer.Fit(train, validation);
        var time = clock.Elapsed;
        var result = trainer.Evaluate(test);

        var table = new ConsoleTable("task", "test accuracy", "test macro-F1", "chance");
        foreach (string task in Tasks)
        {
            var c = result.Classification[task];
            table.Add(task + " item", ConsoleTable.Number(c.Accuracy, 4), ConsoleTable.Number(c.MacroF1, 4), ConsoleTable.Number(1.0 / FashionMnist.ClassNames.Count, 2));
        }

        w.WriteLine();
        w.WriteLine($"test pairs ({test.Rows}); training took {ConsoleTable.Seconds(time)}, {ConsoleTable.Seconds(time / history.Epochs.Count)} per epoch:");
        w.Write(table.ToString());

        string curves = context.OutputPath("fashion-curves.png");
        Plots.Lines(curves, "Fashion-MNIST pairs: cross-entropy per head (solid train, dashed validation)", "epoch", "cross-entropy", Plots.LossCurves(history, Tasks), logY: true);
        context.Wrote(curves, "training curves");
    }

    /// <summary>
    /// Training, validation and test pairs. With the full data set installed, training pairs come from
    /// its 60,000 training images and validation and test pairs from the bundled 10,000 test images;
    /// otherwise the 10,000 bundled images are split 80/10/10 first, so no image appears in two splits.
    /// </summary>
    private static (MultiTaskDataset<float> Train, MultiTaskDataset<float> Validation, MultiTaskDataset<float> Test, string Source) LoadPairs(ExampleContext context)
    {
        ulong seed = context.Options.Seed;
        string images = context.DataFile("fashion-mnist/t10k-images-idx3-ubyte.gz");
        string labels = context.DataFile("fashion-mnist/t10k-labels-idx1-ubyte.gz");
        var t10k = ExampleContext.Load(images, () => FashionMnist.Load<float>(images, labels));
        int trainPairs = context.Rows(TrainPairs);
        int validationPairs = Math.Min(ValidationPairs, Math.Max(100, trainPairs / 4));
        int testPairs = Math.Min(TestPairs, Math.Max(200, trainPairs / 2));

        if (FullTrainingSet() is var (trainImages, trainLabels))
        {
            var full = ExampleContext.Load(trainImages, () => FashionMnist.Load<float>(trainImages, trainLabels));
            var halves = DataSplit.Random(t10k.Rows, 0.5, 0.5, seed);
            return (
                FashionMnist.SideBySide(full, trainPairs, seed + 10),
                FashionMnist.SideBySide(t10k.Subset(halves.Train), validationPairs, seed + 11),
                FashionMnist.SideBySide(t10k.Subset(halves.Validation), testPairs, seed + 12),
                $"{trainImages} ({full.Rows} images) for training, {images} ({t10k.Rows} images) for validation and test");
        }

        var split = DataSplit.Random(t10k.Rows, 0.8, 0.1, seed);
        return (
            FashionMnist.SideBySide(t10k.Subset(split.Train), trainPairs, seed + 10),
            FashionMnist.SideBySide(t10k.Subset(split.Validation), validationPairs, seed + 11),
            FashionMnist.SideBySide(t10k.Subset(split.Test), testPairs, seed + 12),
            string.Create(CultureInfo.InvariantCulture, $"{images} ({t10k.Rows} images, split 80/10/10 into source images for training/validation/test pairs); `apt-get install dataset-fashion-mnist` adds the 60,000 training images"));
    }

    /// <summary>The full training split's image and label files in <see cref="SystemDirectory"/>, under
    /// either naming convention (train-images-idx3-ubyte or train-images.idx3-ubyte, gzipped or not).</summary>
    public static (string Images, string Labels)? FullTrainingSet(string directory = SystemDirectory)
    {
        static IEnumerable<string> Names(string directory, string stem, string idx) =>
            from sep in new[] { "-", "." }
            from ext in new[] { ".gz", string.Empty }
            select Path.Combine(directory, $"{stem}{sep}{idx}-ubyte{ext}");

        string? images = DataLocator.FirstExisting(Names(directory, "train-images", "idx3"));
        string? labels = DataLocator.FirstExisting(Names(directory, "train-labels", "idx1"));
        return images is not null && labels is not null ? (images, labels) : null;
    }
}
