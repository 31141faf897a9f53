namespace Mtl.Training.Optim.Schedules;

/// <summary>
/// A learning-rate schedule as a pure function of the epoch (or step) count, in PyTorch's closed forms.
/// Being stateless, a schedule resumes from a checkpoint by its epoch alone.
/// </summary>
public interface ILearningRateSchedule
{
    /// <summary>The learning rate at <paramref name="epoch"/> (0 before the first scheduler step) for a
    /// group whose initial learning rate is <paramref name="initialLearningRate"/>.</summary>
    double LearningRate(double initialLearningRate, long epoch);
}
