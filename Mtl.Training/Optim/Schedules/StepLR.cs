namespace Mtl.Training.Optim.Schedules;

/// <summary>torch.optim.lr_scheduler.StepLR: lr = lr₀ · γ^⌊epoch / step_size⌋.</summary>
public sealed class StepLR : ILearningRateSchedule
{
    /// <summary>Decays by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">stepSize ≤ 0, or gamma negative or not finite.</exception>
    public StepLR(int stepSize, double gamma = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        StepSize = stepSize;
        Gamma = OptionCheck.NonNegative(gamma, "gamma");
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor γ.</summary>
    public double Gamma { get; }

    /// <inheritdoc />
    public double LearningRate(double initialLearningRate, long epoch) =>
        initialLearningRate * Math.Pow(Gamma, epoch / StepSize);
}
