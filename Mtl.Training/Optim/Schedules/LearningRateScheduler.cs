using System.Numerics;

namespace Mtl.Training.Optim.Schedules;

/// <summary>
/// Drives an <see cref="ILearningRateSchedule"/> over every group of an optimizer, as a PyTorch
/// scheduler: construction sets the epoch-0 rates, each <see cref="Step"/> (after the optimizer's step)
/// advances the epoch and sets every group's rate from its own initial rate.
/// </summary>
public sealed class LearningRateScheduler<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Optimizer<T> _optimizer;

    /// <summary>Attaches <paramref name="schedule"/> to <paramref name="optimizer"/> at <paramref name="epoch"/>
    /// (non-zero to resume) and sets the rates for that epoch.</summary>
    public LearningRateScheduler(Optimizer<T> optimizer, ILearningRateSchedule schedule, long epoch = 0)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        _optimizer = optimizer;
        Schedule = schedule;
        Epoch = epoch;
        Apply();
    }

    /// <summary>The schedule.</summary>
    public ILearningRateSchedule Schedule { get; }

    /// <summary>Scheduler steps taken (PyTorch's <c>last_epoch</c>).</summary>
    public long Epoch { get; private set; }

    /// <summary>Advances one epoch and sets every group's learning rate.</summary>
    public void Step()
    {
        Epoch++;
        Apply();
    }

    private void Apply()
    {
        foreach (var group in _optimizer.Groups)
        {
            group.LearningRate = Schedule.LearningRate(group.InitialLearningRate, Epoch);
        }
    }
}
