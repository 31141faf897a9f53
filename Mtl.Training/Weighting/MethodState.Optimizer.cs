using System.Globalization;
using System.Numerics;
using Mtl.Tensors;
using Mtl.Training.Optim;

namespace Mtl.Training.Weighting;

// An optimizer that a method keeps for its own learned parameters (rather than the trainer's), as state entries.
public sealed partial class MethodState
{
    /// <summary>
    /// Writes an optimizer a method keeps for its own learned parameters, with those parameters: per parameter
    /// <c>i</c> its values <c>{name}.{i}.value</c> and, once it has been updated, its step count and state
    /// tensors (<c>{name}.{i}.step</c>, <c>{name}.{i}.exp_avg</c>, …); and the groups' learning rates.
    /// </summary>
    public void Set<T>(string name, Optimizer<T> optimizer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var scope = Scope(name);
        scope.Set("lr", [.. optimizer.Groups.Select(g => g.LearningRate)]);
        for (int i = 0; i < optimizer.NamedParameters.Count; i++)
        {
            var parameter = scope.Scope(i.ToString(CultureInfo.InvariantCulture));
            parameter.Set("value", ToDouble(optimizer.NamedParameters[i].Value.Data));
            if (optimizer.StateAt(i) is { } state)
            {
                parameter.Set("step", state.Step);
                for (int j = 0; j < state.TensorNames.Count; j++)
                {
                    parameter.Set(state.TensorNames[j], ToDouble(state.GetTensor(j)));
                }
            }
        }
    }

    /// <summary>Reads back what <see cref="Set{T}(string, Optimizer{T})"/> wrote into an optimizer built as the saved
    /// one was, and its parameters; everything is read and checked before anything changes.</summary>
    /// <exception cref="KeyNotFoundException">An entry is missing.</exception>
    /// <exception cref="InvalidDataException">An entry has the wrong length or value.</exception>
    public void Restore<T>(string name, Optimizer<T> optimizer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var scope = Scope(name);
        var rates = scope.GetArray("lr", optimizer.Groups.Count);
        if (rates.Any(r => !(r >= 0) || double.IsInfinity(r)))
        {
            throw new InvalidDataException($"method state '{_prefix}{name}.lr' holds a learning rate that is not a finite number ≥ 0.");
        }

        var values = new double[optimizer.NamedParameters.Count][];
        var states = new ParameterState<T>?[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            var parameter = scope.Scope(i.ToString(CultureInfo.InvariantCulture));
            values[i] = parameter.GetArray("value", optimizer.NamedParameters[i].Value.Shape.Length);
            if (!parameter.Contains("step"))
            {
                continue;
            }

            var state = states[i] = optimizer.NewState(i);
            state.Step = parameter.GetInteger("step");
            for (int j = 0; j < state.TensorNames.Count; j++)
            {
                var tensor = state.GetTensor(j);
                FromDouble(parameter.GetArray(state.TensorNames[j], tensor.Length), tensor.Span);
            }
        }

        for (int i = 0; i < values.Length; i++)
        {
            FromDouble(values[i], optimizer.NamedParameters[i].Value.Data.Span);
        }

        optimizer.ReplaceStates(states);
        for (int g = 0; g < rates.Length; g++)
        {
            optimizer.Groups[g].LearningRate = rates[g];
        }
    }

    private static double[] ToDouble<T>(Tensor<T> tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new double[tensor.Length];
        var source = tensor.ReadOnlySpan;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = double.CreateTruncating(source[i]);
        }

        return values;
    }

    private static void FromDouble<T>(double[] values, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = T.CreateTruncating(values[i]);
        }
    }
}
