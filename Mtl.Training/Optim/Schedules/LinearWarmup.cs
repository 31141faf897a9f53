namespace Mtl.Training.Optim.Schedules;

/// <summary>
/// Linear warm-up, then another schedule: for epoch &lt; W the rate is
/// lr₀·(f + (1 − f)·epoch / W) (torch's LinearLR with start_factor f, end_factor 1, total_iters W);
/// from epoch W on it is <see cref="After"/> at epoch − W, or lr₀ when there is none. This is torch's
/// SequentialLR([LinearLR(…), after], milestones=[W]).
/// </summary>
public sealed class LinearWarmup : ILearningRateSchedule
{
    /// <summary>Warms up over <paramref name="warmupEpochs"/> from <paramref name="startFactor"/>·lr₀.</summary>
    /// <param name="warmupEpochs">W ≥ 1.</param>
    /// <param name="startFactor">f ∈ (0, 1]; PyTorch's LinearLR default is 1/3.</param>
    /// <param name="after">The schedule that takes over at epoch W (counted from 0 there), or null for a constant lr₀.</param>
    /// <exception cref="ArgumentOutOfRangeException">W ≤ 0 or f outside (0, 1].</exception>
    public LinearWarmup(int warmupEpochs, double startFactor = 1.0 / 3, ILearningRateSchedule? after = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(warmupEpochs);
        if (!(startFactor > 0 && startFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "LinearWarmup: the start factor must be in (0, 1].");
        }

        WarmupEpochs = warmupEpochs;
        StartFactor = startFactor;
        After = after;
    }

    /// <summary>Warm-up length W.</summary>
    public int WarmupEpochs { get; }

    /// <summary>Start factor f.</summary>
    public double StartFactor { get; }

    /// <summary>The schedule after the warm-up, or null for a constant rate.</summary>
    public ILearningRateSchedule? After { get; }

    /// <inheritdoc />
    public double LearningRate(double initialLearningRate, long epoch)
    {
        if (epoch < WarmupEpochs)
        {
            return initialLearningRate * (StartFactor + ((1 - StartFactor) * epoch / WarmupEpochs));
        }

        return After?.LearningRate(initialLearningRate, epoch - WarmupEpochs) ?? initialLearningRate;
    }
}
