namespace Mtl.Training;

/// <summary>What one training step did: the batch, how many labelled rows each task had in it, and the
/// losses of the tasks that had any (a task without labelled rows leaves the step).</summary>
public sealed record StepReport
{
    /// <summary>1-based epoch number.</summary>
    public required int Epoch { get; init; }

    /// <summary>The batch's 0-based position in its epoch.</summary>
    public required int Batch { get; init; }

    /// <summary>Rows in the batch (for a multi-input model, in all the tasks' batches of the step).</summary>
    public required int Rows { get; init; }

    /// <summary>Labelled (unmasked) rows of each task in the batch.</summary>
    public required IReadOnlyDictionary<string, int> LabelledRows { get; init; }

    /// <summary>The loss of each task with labelled rows (tasks without any are absent).</summary>
    public required IReadOnlyDictionary<string, double> Losses { get; init; }
}
