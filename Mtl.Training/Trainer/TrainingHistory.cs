namespace Mtl.Training;

/// <summary>The epochs a <c>Trainer.Fit</c> ran, and how it ended.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochReport> _epochs = [];

    /// <summary>One report per epoch run.</summary>
    public IReadOnlyList<EpochReport> Epochs => _epochs;

    /// <summary>The epoch with the best watched metric (the last epoch without early stopping).</summary>
    public int BestEpoch { get; internal set; }

    /// <summary>True when early stopping or a callback ended training before the planned epochs.</summary>
    public bool StoppedEarly { get; internal set; }

    /// <summary>Wall time of the whole fit.</summary>
    public TimeSpan Duration { get; internal set; }

    internal void Add(EpochReport report) => _epochs.Add(report);
}
