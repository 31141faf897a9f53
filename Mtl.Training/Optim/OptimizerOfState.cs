using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>
/// An optimizer with typed hyper-parameters <typeparamref name="TOptions"/> per group and typed
/// per-parameter state <typeparamref name="TState"/>, created on a parameter's first update. The driver
/// loop lives here; a concrete optimizer supplies only <see cref="CreateState"/> and <see cref="Update"/>.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
/// <typeparam name="TOptions">The hyper-parameter record.</typeparam>
/// <typeparam name="TState">The per-parameter state.</typeparam>
public abstract class Optimizer<T, TOptions, TState> : Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOptions : OptimizerOptions
    where TState : ParameterState<T>
{
    private readonly ParameterGroup<T, TOptions>[] _typedGroups;
    private readonly TState?[] _states;

    /// <summary>Creates the optimizer over <paramref name="groups"/>.</summary>
    /// <exception cref="ArgumentException">No groups, an empty group, or a parameter or name used twice.</exception>
    protected Optimizer(IEnumerable<ParameterGroup<T, TOptions>> groups, string name)
        : this(Materialize(groups), name)
    {
    }

    private Optimizer(ParameterGroup<T, TOptions>[] groups, string name)
        : base(groups, name)
    {
        _typedGroups = groups;
        _states = new TState?[NamedParameters.Count];
    }

    /// <summary>The group at <paramref name="index"/> with its typed hyper-parameters.</summary>
    public ParameterGroup<T, TOptions> GetGroup(int index) => _typedGroups[index];

    /// <inheritdoc />
    public sealed override void Step()
    {
        int index = 0;
        foreach (var group in _typedGroups)
        {
            var options = group.Options;
            double lr = group.LearningRate;
            foreach (var (name, p) in group.ParameterArray)
            {
                int i = index++;
                if (!p.RequiresGrad || p.Grad is not { } grad)
                {
                    continue;
                }

                var data = p.Data;
                if (grad.Shape != data.Shape)
                {
                    throw new InvalidOperationException($"{Name}: '{name}' has shape {data.Shape} but its gradient has shape {grad.Shape}.");
                }

                var state = _states[i] ??= CreateState(data.Shape, options);
                Update(data, grad, state, options, lr);
                state.Step++;
            }
        }
    }

    /// <summary>A zero state for a parameter of <paramref name="shape"/>, its tensors allocated once.</summary>
    protected abstract TState CreateState(Shape shape, TOptions options);

    /// <summary>One update of <paramref name="parameter"/> in place; <paramref name="state"/>.Step is
    /// the number of earlier updates (the base increments it afterwards).</summary>
    protected abstract void Update(Tensor<T> parameter, Tensor<T> gradient, TState state, TOptions options, double learningRate);

    /// <summary>The same element type as T, from a double hyper-parameter (rounded to nearest, as PyTorch
    /// casts a Python float scalar to the tensor's dtype).</summary>
    protected static T Scalar(double value) => T.CreateTruncating(value);

    /// <inheritdoc />
    internal sealed override ParameterState<T>? StateAt(int index) => _states[index];

    /// <inheritdoc />
    internal sealed override ParameterState<T> NewState(int index) =>
        CreateState(NamedParameters[index].Value.Data.Shape, _typedGroups[GroupOf(index)].Options);

    /// <inheritdoc />
    internal sealed override void ReplaceStates(ParameterState<T>?[] states)
    {
        if (states.Length != _states.Length)
        {
            throw new ArgumentException($"{Name}: {states.Length} states for {_states.Length} parameters.", nameof(states));
        }

        for (int i = 0; i < states.Length; i++)
        {
            _states[i] = states[i] is null ? null : states[i] as TState ?? throw new ArgumentException($"{Name}: state of '{NamedParameters[i].Key}' has the wrong type.", nameof(states));
        }
    }

    private static ParameterGroup<T, TOptions>[] Materialize(IEnumerable<ParameterGroup<T, TOptions>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        return groups.ToArray();
    }
}
