using System.Diagnostics;
using System.Globalization;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;
using ScottPlot;

namespace Mtl.Examples;

/// <summary>
/// Negative transfer on synthetic tasks of controlled relatedness, with the generator of Ma et al. 2018
/// (MMoE, §3.2): orthogonal unit vectors u₁, u₂ ∈ ℝᵈ; w₁ = c·u₁, w₂ = c·(p·u₁ + √(1−p²)·u₂); x ~ N(0, I);
/// y_k = w_kᵀx + Σᵢ₌₁..ₘ sin(αᵢ·w_kᵀx + βᵢ) + ε, ε ~ N(0, 0.01). The cosine p of w₁ and w₂ sets how
/// related the tasks are. A hard-sharing model is compared with two single-task models (same trunk,
/// same budget), with three remedies on the shared trunk (uncertainty weighting, PCGrad and MGDA), and
/// with the schemes that share less or learn how much to share: hierarchical sharing, soft sharing,
/// cross-stitch units, a multi-gate mixture of experts and multi-task relationship learning.
/// </summary>
/// <remarks>
/// Two choices of ours beyond the generator. Each task's label is observed on its own half of the
/// training rows (masked on the other half): with both labels on every row, identical tasks (p = 1)
/// would have nothing to teach each other but label noise, so sharing could not help. And the trunk is
/// narrow (8 units), so that serving two unrelated tasks costs capacity, which is how negative transfer
/// shows at small scale. Loss and gradient weighting change how the trunk is shared, not how much it
/// holds; the table shows how far that goes.
/// </remarks>
public sealed class TransferExample : IExample
{
    private const int Dimensions = 16;
    private const int Waves = 10;
    private const double Scale = 1.0;
    private const double NoiseVariance = 0.01;
    private const int TrainRows = 2000;
    private const int Repeats = 5;
    private const int TestRows = 2000;
    private const int Hidden = 8;
    private const int BatchSize = 32;
    private const double LearningRate = 3e-3;
    private const double SoftLambda = 1e-3;
    private const double RelationshipLambda = 1e-2;
    private static readonly double[] Correlations = [1.0, 0.95, 0.9, 0.7, 0.5, 0.0, -0.5];
    private static readonly string[] Tasks = ["y1", "y2"];
    private static readonly string[] Methods = ["single-task", "hard sharing", "+ uncertainty", "+ PCGrad", "+ MGDA", "hierarchical", "soft", "cross-stitch", "MMoE", "MTRL"];

    /// <inheritdoc />
    public string Name => "transfer";

    /// <inheritdoc />
    public string Summary => "negative transfer: single-task vs hard sharing (with uncertainty weighting, PCGrad, MGDA) and the other sharing schemes over task correlation p (MMoE synthetic data)";

    /// <inheritdoc />
    public int DefaultEpochs => 100;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var w = context.Out;
        ulong seed = context.Options.Seed;
        int epochs = context.Epochs(DefaultEpochs);
        int trainRows = context.Rows(TrainRows);
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"data: d = {Dimensions}, c = {Scale}, m = {Waves} sine terms (α, β ~ N(0, 1)), noise variance {NoiseVariance}; {trainRows} training rows per p (y1 labelled on the first half, y2 on the second, masked elsewhere), {TestRows} test rows with both labels; mean over {Repeats} draws of the problem"));
        w.WriteLine($"model: trunk linear {Dimensions}→{Hidden} - relu - linear {Hidden}→{Hidden} - relu, one linear head per task; single-task models have the same trunk each");
        w.WriteLine($"schemes: hierarchical (y2 branches off after the first layer into linear {Hidden}→{Hidden} - relu - linear {Hidden}→1), soft (a network per task, λ = {SoftLambda.ToString(CultureInfo.InvariantCulture)}), cross-stitch (a network per task, units after both hidden layers), MMoE (4 experts {Dimensions}→{Hidden}→{Hidden}, a gate per task), MTRL (hard sharing, λ = {RelationshipLambda.ToString(CultureInfo.InvariantCulture)})");
        w.WriteLine($"training: {epochs} epochs, batch {BatchSize}, Adam lr {LearningRate}, the same for every method");

        var table = new ConsoleTable(["p", .. Methods, "sharing vs single"]);
        var clock = Stopwatch.StartNew();
        var curves = Methods.Select(_ => new List<double>()).ToArray();
        foreach (double p in Correlations)
        {
            // Each repeat draws the whole problem anew (u₁, u₂, α, β, the rows, the initialisation);
            // the table shows the mean over repeats, since one draw is too noisy to rank methods.
            var mse = new double[Methods.Length];
            double labelCorrelation = 0;
            for (int r = 0; r < Repeats; r++)
            {
                ulong drawSeed = seed + (1000 * (ulong)r);
                var (train, test) = Problem(p, trainRows, drawSeed);
                labelCorrelation += Pearson(test.Task("y1").Values!.ReadOnlySpan, test.Task("y2").Values!.ReadOnlySpan) / Repeats;
                mse[0] += Tasks.Average(t => Fit([t], train, test, epochs, null, drawSeed)[t]) / Repeats;
                for (int m = 1; m < Methods.Length; m++)
                {
                    var result = Fit(Tasks, train, test, epochs, Methods[m], drawSeed);
                    mse[m] += Tasks.Average(t => result[t]) / Repeats;
                }
            }

            for (int m = 0; m < Methods.Length; m++)
            {
                curves[m].Add(mse[m]);
            }

            int best = Array.IndexOf(mse, mse.Min());
            string[] row = [
                string.Create(CultureInfo.InvariantCulture, $"{p:0.0#} (label r {labelCorrelation:F2})"),
                .. mse.Select((v, m) => ConsoleTable.Number(v, 4) + (m == best ? " *" : "  ")),
                string.Create(CultureInfo.InvariantCulture, $"{(mse[1] / mse[0]) - 1:+0%;-0%}"),
            ];
            table.Add(row);
            w.WriteLine($"p = {p.ToString("0.0#", CultureInfo.InvariantCulture)} done ({ConsoleTable.Seconds(clock.Elapsed)}): {string.Join(", ", Methods.Select((name, m) => $"{name} {mse[m].ToString("F4", CultureInfo.InvariantCulture)}"))}");
        }

        w.WriteLine();
        w.WriteLine($"test MSE, mean of the two tasks (noise floor {NoiseVariance.ToString(CultureInfo.InvariantCulture)}; * marks the best; last column: hard sharing relative to single-task):");
        w.Write(table.ToString());

        string plot = context.OutputPath("transfer-mse-vs-p.png");
        Plots.Lines(
            plot,
            "Negative transfer: test MSE against task correlation p",
            "p, cosine of the task weight vectors",
            "test MSE (mean of two tasks)",
            Methods.Select((name, m) => new Series(name, Correlations, [.. curves[m]], m, m == 0 ? LinePattern.Dashed : LinePattern.Solid)),
            logY: true,
            legend: Alignment.UpperRight);
        context.Wrote(plot, "MSE against p");
    }

    /// <summary>Training and test rows for correlation <paramref name="p"/>, from a fresh draw of u₁, u₂, α and β.</summary>
    private static (MultiTaskDataset<float> Train, MultiTaskDataset<float> Test) Problem(double p, int trainRows, ulong seed)
    {
        var random = new SeededRandom(seed);
        var (u1, u2) = OrthonormalPair(random);
        var alpha = Enumerable.Range(0, Waves).Select(_ => random.NextNormal()).ToArray();
        var beta = Enumerable.Range(0, Waves).Select(_ => random.NextNormal()).ToArray();
        var w1 = u1.Select(v => Scale * v).ToArray();
        var w2 = u1.Zip(u2, (a, b) => Scale * ((p * a) + (Math.Sqrt(1 - (p * p)) * b))).ToArray();
        return (Generate(trainRows, w1, w2, alpha, beta, new SeededRandom(seed + 100), halves: true), Generate(TestRows, w1, w2, alpha, beta, new SeededRandom(seed + 200), halves: false));
    }

    /// <summary>Trains a model for <paramref name="tasks"/> with <paramref name="method"/> (a remedy on hard sharing
    /// or another sharing scheme; null: plain hard sharing) and returns each task's test MSE.</summary>
    private static Dictionary<string, double> Fit(string[] tasks, MultiTaskDataset<float> train, MultiTaskDataset<float> test, int epochs, string? method, ulong seed)
    {
        var random = new SeededRandom(seed + 1);
        IMultiTaskModel<float> model = method switch
        {
            "hierarchical" => new MultiTaskModel<float>(Trunk(random))
                .AddHead(tasks[0], new Linear<float>(Hidden, 1, random))
                .AddHead(tasks[1], new Sequential<float>(new Linear<float>(Hidden, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, 1, random)), depth: 2),
            "soft" => tasks.Aggregate(new SoftSharingModel<float>(SoftLambda), (m, t) => m.AddTower(t, new Sequential<float>(Trunk(random), new Linear<float>(Hidden, 1, random)))),
            "cross-stitch" => new CrossStitchModel<float>([.. tasks.Select(t => new KeyValuePair<string, Sequential<float>>(t, Tower(random)))], [2, 4]),
            "MMoE" => tasks.Aggregate(new MixtureOfExpertsModel<float>(Dimensions, [.. Enumerable.Range(0, 4).Select(_ => (Layer<float>)Trunk(random))], random), (m, t) => m.AddTask(t, new Linear<float>(Hidden, 1, random))),
            _ => tasks.Aggregate(new MultiTaskModel<float>(Trunk(random)), (m, t) => m.AddHead(t, new Linear<float>(Hidden, 1, random))),
        };

        var parameters = ((Module<float>)model).NamedParameters().ToList();
        var options = new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2 };
        switch (method)
        {
            case "+ uncertainty":
                var weighting = new UncertaintyWeighting<float>(tasks.Select(t => new KeyValuePair<string, TaskKind>(t, TaskKind.Regression)));
                parameters.AddRange(weighting.NamedParameters());
                options = options with { Weighting = weighting };
                break;
            case "+ PCGrad":
                options = options with { GradientCombiner = new PCGradCombiner((int)seed) };
                break;
            case "+ MGDA":
                options = options with { GradientCombiner = new MgdaCombiner(new MgdaOptions(ScaleByTaskCount: true)) };
                break;
            case "MTRL":
                options = options with { Method = TaskRelationshipLearning<float>.ForHeads((MultiTaskModel<float>)model, RelationshipLambda) };
                break;
        }

        var trainer = new Trainer<float>(model, tasks.Select(t => new TrainingTask<float>(t, new MseLoss<float>())), new Adam<float>(parameters, new AdamOptions { LearningRate = LearningRate }), options);
        trainer.Fit(train);
        var result = trainer.Evaluate(test);
        return tasks.ToDictionary(t => t, t => result.Regression[t].Mse);
    }

    /// <summary>A whole single-task network as one flat stack (the trunk's four layers, then the head), for cross-stitch.</summary>
    private static Sequential<float> Tower(SeededRandom random) =>
        new(new Linear<float>(Dimensions, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, 1, random));

    /// <summary>The narrow trunk every scheme is built from: linear d→8 - relu - linear 8→8 - relu.</summary>
    private static Sequential<float> Trunk(SeededRandom random) =>
        new(new Linear<float>(Dimensions, Hidden, random), new ReLU<float>(), new Linear<float>(Hidden, Hidden, random), new ReLU<float>());

    /// <summary>Rows of the generator: x ~ N(0, I) and y_k = w_kᵀx + Σᵢ sin(αᵢ·w_kᵀx + βᵢ) + ε. With
    /// <paramref name="halves"/>, y₁ is observed on the first half of the rows and y₂ on the second (the
    /// other half masked), so each task has rows the other task's labels describe.</summary>
    private static MultiTaskDataset<float> Generate(int rows, double[] w1, double[] w2, double[] alpha, double[] beta, SeededRandom random, bool halves)
    {
        var x = new Tensor<float>(rows, Dimensions);
        var y1 = new Tensor<float>(rows, 1);
        var y2 = new Tensor<float>(rows, 1);
        var xs = x.Span;
        double noise = Math.Sqrt(NoiseVariance);
        for (int i = 0; i < rows; i++)
        {
            double z1 = 0, z2 = 0;
            for (int j = 0; j < Dimensions; j++)
            {
                double v = random.NextNormal();
                xs[(i * Dimensions) + j] = (float)v;
                z1 += w1[j] * v;
                z2 += w2[j] * v;
            }

            y1[i] = (float)(Label(z1, alpha, beta) + (noise * random.NextNormal()));
            y2[i] = (float)(Label(z2, alpha, beta) + (noise * random.NextNormal()));
        }

        var mask1 = Tensor.Ones<float>(rows);
        var mask2 = Tensor.Ones<float>(rows);
        for (int i = 0; halves && i < rows; i++)
        {
            (i < rows / 2 ? mask2 : mask1)[i] = 0;
        }

        return new MultiTaskDataset<float>(x, [], [], [], [
            TaskTarget<float>.Regression("y1", y1, mask1),
            TaskTarget<float>.Regression("y2", y2, mask2),
        ]);
    }

    private static double Label(double z, double[] alpha, double[] beta)
    {
        double y = z;
        for (int i = 0; i < alpha.Length; i++)
        {
            y += Math.Sin((alpha[i] * z) + beta[i]);
        }

        return y;
    }

    /// <summary>Two orthonormal vectors by Gram-Schmidt on two Gaussian draws.</summary>
    private static (double[] U1, double[] U2) OrthonormalPair(SeededRandom random)
    {
        var a = Enumerable.Range(0, Dimensions).Select(_ => random.NextNormal()).ToArray();
        var b = Enumerable.Range(0, Dimensions).Select(_ => random.NextNormal()).ToArray();
        Normalize(a);
        double dot = a.Zip(b, (p, q) => p * q).Sum();
        for (int j = 0; j < Dimensions; j++)
        {
            b[j] -= dot * a[j];
        }

        Normalize(b);
        return (a, b);
    }

    private static void Normalize(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(e => e * e));
        for (int j = 0; j < v.Length; j++)
        {
            v[j] /= norm;
        }
    }

    private static double Pearson(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ma += a[i];
            mb += b[i];
        }

        ma /= a.Length;
        mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return sab / Math.Sqrt(saa * sbb);
    }
}
