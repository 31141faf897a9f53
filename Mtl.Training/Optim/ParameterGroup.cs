using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Training.Optim;

/// <summary>
/// Named parameters that share hyper-parameters (PyTorch's param_groups), e.g. the shared trunk
/// <c>shared.*</c> with a smaller learning rate than the task heads. This base holds what every optimizer
/// and schedule needs: the parameters and the current learning rate.
/// </summary>
public abstract class ParameterGroup<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly KeyValuePair<string, Var<T>>[] _parameters;
    private double _learningRate;

    private protected ParameterGroup(IEnumerable<KeyValuePair<string, Var<T>>> parameters, double initialLearningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        InitialLearningRate = initialLearningRate;
        _learningRate = initialLearningRate;
    }

    /// <summary>The parameters with their names, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, Var<T>>> Parameters => _parameters;

    /// <summary>The learning rate the group was created with (PyTorch's <c>initial_lr</c>); schedules scale from it.</summary>
    public double InitialLearningRate { get; }

    /// <summary>The learning rate the next <see cref="Optimizer{T}.Step"/> uses (PyTorch's <c>group["lr"]</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptionCheck.NonNegative(value, "learning rate");
    }

    internal KeyValuePair<string, Var<T>>[] ParameterArray => _parameters;
}

/// <summary>A parameter group with its own typed hyper-parameters.</summary>
/// <typeparam name="T">Element type of the parameters.</typeparam>
/// <typeparam name="TOptions">The optimizer's hyper-parameter record.</typeparam>
public sealed class ParameterGroup<T, TOptions> : ParameterGroup<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOptions : OptimizerOptions
{
    /// <summary>Creates the group; <paramref name="options"/> is validated here.</summary>
    /// <exception cref="ArgumentException">The options break a constraint between hyper-parameters.</exception>
    public ParameterGroup(IEnumerable<KeyValuePair<string, Var<T>>> parameters, TOptions options)
        : base(parameters, Validated(options).LearningRate)
    {
        Options = options;
    }

    /// <summary>The group's hyper-parameters (the learning rate in them is the initial one).</summary>
    public TOptions Options { get; }

    private static TOptions Validated(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }
}
