using System.Diagnostics;
using System.Globalization;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using ScottPlot;

namespace Mtl.Examples;

/// <summary>
/// Looking inside a tiny two-task model (in double): the tape of one forward and backward pass, its graph
/// as Graphviz DOT (rendered to SVG and PNG when <c>dot</c> is installed), a gradient check of every
/// parameter against central differences, and a few epochs of training with the per-task gradient norms
/// and their cosine on the shared trunk (<see cref="TrainerOptions{T}.TrackTaskConflict"/>).
/// </summary>
public sealed class InspectExample : IExample
{
    private const int Inputs = 3;
    private const int Hidden = 4;
    private const int Rows = 256;
    private static readonly string[] Tasks = ["amount", "label"];

    /// <inheritdoc />
    public string Name => "inspect";

    /// <inheritdoc />
    public string Summary => "tape dump, DOT graph, gradient check and per-task gradient conflict of a tiny two-task model";

    /// <inheritdoc />
    public int DefaultEpochs => 10;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var w = context.Out;
        ulong seed = context.Options.Seed;
        var data = Generate(context.Rows(Rows), new SeededRandom(seed));
        var random = new SeededRandom(seed + 1);
        var model = new MultiTaskModel<double>(new Sequential<double>(new Linear<double>(Inputs, Hidden, random), new ReLU<double>()))
            .AddHead("amount", new Linear<double>(Hidden, 1, random))
            .AddHead("label", new Linear<double>(Hidden, 2, random));

        // The two Linear heads would run as one wide layer (a "linear_heads" op and a column slice per
        // head); kept apart here so the tape shows one op per head.
        model.FuseLinearHeads = false;
        var tasks = new TrainingTask<double>[] { new("amount", new MseLoss<double>()), new("label", new CrossEntropyLoss<double>()) };
        w.WriteLine($"model: trunk linear {Inputs}→{Hidden} - relu; heads 'amount' (regression, linear {Hidden}→1) and 'label' (2 classes, linear {Hidden}→2); {model.ParameterCount} parameters:");
        foreach (var (name, p) in model.NamedParameters())
        {
            w.WriteLine($"  {name} {p.Shape}");
        }

        var batch = data.Subset([0, 1, 2, 3]);
        Var<double> Loss()
        {
            var outputs = model.Forward(Var<double>.Constant(batch.Features, "x"));
            return tasks[0].LossOf(outputs["amount"], batch.Task("amount")) + tasks[1].LossOf(outputs["label"], batch.Task("label"));
        }

        // 1. The tape: one line per op, with value and gradient statistics after the backward pass.
        var loss = Loss();
        loss.Backward(retainGraph: true);
        w.WriteLine();
        w.WriteLine("1. tape of L = mse(amount) + cross_entropy(label) on a batch of 4, after backward (retained):");
        w.Write(Tape.Current.Dump());

        // 2. The same graph as DOT, rendered when Graphviz is present.
        string dotFile = context.OutputPath("inspect-graph.dot");
        File.WriteAllText(dotFile, Graphviz.ToDot(loss, "two_task_loss"));
        Tape.Current.Release();
        model.ZeroGrad();
        w.WriteLine();
        w.WriteLine("2. graph:");
        context.Wrote(dotFile, "DOT graph");
        Render(context, dotFile);

        // 3. Every parameter's gradient against central differences (double precision).
        var check = GradCheck.Run(Loss, [.. model.Parameters()]);
        w.WriteLine();
        w.WriteLine("3. " + check.ToString().TrimEnd());

        // 4. Training with per-task gradients on the shared trunk measured on each epoch's first batch.
        int epochs = context.Epochs(DefaultEpochs);
        var trainer = new Trainer<double>(
            model,
            tasks,
            new Adam<double>(model.NamedParameters(), new AdamOptions { LearningRate = 0.02 }),
            new TrainerOptions<double> { Epochs = epochs, BatchSize = 32, Seed = seed + 2, TrackTaskConflict = true });
        w.WriteLine();
        w.WriteLine($"4. training {epochs} epochs on {data.Rows} rows; per-task gradient norms ‖g‖ and cosines on the shared trunk (first batch of each epoch):");
        trainer.EpochEnded += report =>
        {
            w.WriteLine(report.ToString());
            w.Write(Indent(report.Conflict!.ToString()));
        };
        var clock = Stopwatch.StartNew();
        var history = trainer.Fit(data);
        w.WriteLine($"trained in {ConsoleTable.Seconds(clock.Elapsed)}");

        var x = Plots.Epochs(history);
        string conflict = context.OutputPath("inspect-conflict.png");
        Plots.Lines(
            conflict,
            "Task conflict on the shared trunk: cos(g_amount, g_label) per epoch",
            "epoch",
            "cosine (< 0: the tasks pull the trunk apart)",
            [new Series("cos(amount, label)", x, [.. history.Epochs.Select(e => e.Conflict!.CosineOf(0, 1))], 3, LinePattern.Solid),
             new Series("zero", x, [.. x.Select(_ => 0.0)], 7, LinePattern.Dotted)],
            legend: Alignment.UpperRight);
        context.Wrote(conflict, "conflict plot");

        string norms = context.OutputPath("inspect-gradient-norms.png");
        Plots.Lines(
            norms,
            "Per-task gradient norm on the shared trunk per epoch",
            "epoch",
            "‖g‖",
            Tasks.Select((t, i) => new Series(t, x, [.. history.Epochs.Select(e => e.Conflict!.Norms[i])], i, LinePattern.Solid)),
            logY: true,
            legend: Alignment.UpperRight);
        context.Wrote(norms, "gradient-norm plot");
    }

    /// <summary>Runs Graphviz's dot to SVG and PNG beside the DOT file, or says how to install it.</summary>
    private static void Render(ExampleContext context, string dotFile)
    {
        string? dot = FindOnPath("dot");
        if (dot is null)
        {
            context.Out.WriteLine($"Graphviz's dot is not installed, so the graph is not rendered; install it (apt-get install graphviz) and run: dot -Tsvg {dotFile} -o {Path.ChangeExtension(dotFile, ".svg")}");
            return;
        }

        foreach (string format in new[] { "svg", "png" })
        {
            string output = Path.ChangeExtension(dotFile, "." + format);
            var start = new ProcessStartInfo(dot, ["-T" + format, dotFile, "-o", output]) { RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start)!;
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode == 0)
            {
                context.Wrote(output, $"graph as {format.ToUpperInvariant()}");
            }
            else
            {
                context.Out.WriteLine($"dot -T{format} failed (exit {process.ExitCode}): {errors.Trim()}");
            }
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static string Indent(string text) =>
        string.Concat(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => "    " + line + "\n"));

    /// <summary>
    /// Two tasks on x ~ N(0, I₃): amount = a·x + noise and label = [b·x > 0] with a·b = −0.5, so the tasks
    /// want partly opposite features from the trunk.
    /// </summary>
    private static MultiTaskDataset<double> Generate(int rows, SeededRandom random)
    {
        double[] a = [1, 0, 0];
        double[] b = [-0.5, Math.Sqrt(0.75), 0];
        var x = new Tensor<double>(rows, Inputs);
        var amount = new Tensor<double>(rows, 1);
        var label = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            double za = 0, zb = 0;
            for (int j = 0; j < Inputs; j++)
            {
                double v = random.NextNormal();
                x[(i * Inputs) + j] = v;
                za += a[j] * v;
                zb += b[j] * v;
            }

            amount[i] = za + (0.1 * random.NextNormal());
            label[i] = zb > 0 ? 1 : 0;
        }

        return new MultiTaskDataset<double>(x, [], [], [], [
            TaskTarget<double>.Regression("amount", amount, Tensor.Ones<double>(rows)),
            TaskTarget<double>.Classification("label", label, ["no", "yes"], Tensor.Ones<double>(rows)),
        ]);
    }
}
