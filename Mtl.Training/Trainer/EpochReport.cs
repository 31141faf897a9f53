using System.Globalization;
using System.Text;
using Mtl.Training.Weighting;

namespace Mtl.Training;

/// <summary>What one epoch did: mean training loss and labelled rows per task, validation losses and metrics,
/// the task weights in force, the task-conflict report when tracked, and timing.</summary>
public sealed record EpochReport
{
    /// <summary>1-based epoch number.</summary>
    public required int Epoch { get; init; }

    /// <summary>Total epochs planned.</summary>
    public required int Epochs { get; init; }

    /// <summary>Mean training loss per task over the epoch's batches in which it had labelled rows (NaN when it had none).</summary>
    public required IReadOnlyDictionary<string, double> TrainLoss { get; init; }

    /// <summary>Labelled (unmasked) training rows per task in the epoch; a task's batches without any left its steps.</summary>
    public IReadOnlyDictionary<string, long> TrainRows { get; init; } = new Dictionary<string, long>();

    /// <summary>Validation result, when a validation set was given.</summary>
    public EvaluationResult? Validation { get; init; }

    /// <summary>Task weights λᵢ at the end of the epoch (1 for each task without a weighting scheme).</summary>
    public required IReadOnlyDictionary<string, double> TaskWeights { get; init; }

    /// <summary>Per-task gradient norms and cosines on the shared parameters (first batch), when tracked.</summary>
    public TaskConflictReport? Conflict { get; init; }

    /// <summary>The epoch's mean task affinity by lookahead, when <see cref="TrainerOptions{T}.TaskAffinityInterval"/> is set.</summary>
    public TaskAffinityReport? Affinity { get; init; }

    /// <summary>Learning rate of the first parameter group.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Time spent in this epoch.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Time since training started.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to finish the planned epochs at the mean pace so far.</summary>
    public TimeSpan Remaining => Epoch >= Epochs ? TimeSpan.Zero : Elapsed / Epoch * (Epochs - Epoch);

    /// <summary>A value of this report by metric name ("val_loss", "train_loss", "&lt;task&gt;.&lt;metric&gt;" on validation).</summary>
    public double? Metric(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == "train_loss")
        {
            return TrainLoss.Values.Sum();
        }

        return Validation?.Metric(name);
    }

    /// <summary>One line for a terminal or a log: epoch, per-task losses, validation metrics, time and ETA.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        int width = Epochs.ToString(ci).Length;
        sb.Append(ci, $"epoch {Epoch.ToString(ci).PadLeft(width)}/{Epochs}  loss");
        foreach (var (task, loss) in TrainLoss)
        {
            sb.Append(ci, $" {task} {loss:F4}");
        }

        if (Validation is { } v)
        {
            sb.Append(" | val");
            foreach (var r in v.Regression.Values)
            {
                sb.Append(ci, $" {r.Task} r2 {r.R2:F3} mae {r.Mae:F3}");
            }

            foreach (var c in v.Classification.Values)
            {
                sb.Append(ci, $" {c.Task} acc {c.Accuracy:F3}");
            }

            foreach (var m in v.MultiLabel.Values)
            {
                sb.Append(ci, $" {m.Task} acc {m.Accuracy:F3} f1 {m.MacroF1:F3}");
            }
        }

        sb.Append(ci, $" | {Duration.TotalSeconds:F2}s, eta {Remaining.TotalSeconds:F0}s");
        return sb.ToString();
    }
}
