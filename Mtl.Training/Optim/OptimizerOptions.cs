namespace Mtl.Training.Optim;

/// <summary>
/// The hyper-parameters every optimizer has. Each property checks its own range when it is set
/// (also through <c>with</c>); constraints between properties are checked by <see cref="Validate"/>,
/// which every <see cref="ParameterGroup{T, TOptions}"/> calls when it is constructed.
/// </summary>
public abstract record OptimizerOptions
{
    private readonly double _learningRate = 1e-3;

    /// <summary>The initial learning rate of a group (PyTorch's <c>initial_lr</c>); the current one is
    /// <see cref="ParameterGroup{T}.LearningRate"/>, which schedules change. Default 1e-3.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        init => _learningRate = OptionCheck.NonNegative(value, "learning rate");
    }

    /// <summary>Checks constraints between properties; throws <see cref="ArgumentException"/> when one fails.</summary>
    public virtual void Validate()
    {
    }
}
