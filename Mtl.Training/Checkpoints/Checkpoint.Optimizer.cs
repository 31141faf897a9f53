using System.Globalization;
using System.Numerics;
using Mtl.Tensors;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Training.Checkpoints;

public static partial class Checkpoint
{
    private const string Reserved = "mtl.";
    private const string FormatKey = "mtl.format";
    private const string FormatValue = "optimizer/1";
    private const string OptimizerKey = "mtl.optimizer";
    private const string GroupsKey = "mtl.groups";
    private const string StepPrefix = "mtl.step.";

    /// <summary>
    /// Saves <paramref name="optimizer"/>'s state to <paramref name="path"/>, a safetensors file of its own
    /// (the model goes to another file with <see cref="SaveModel{T}(string, Layers.Module{T}, IReadOnlyDictionary{string, string}?)"/>).
    /// Layout: for each parameter with state, its tensors as <c>{parameter}.{state}</c>
    /// (<c>shared.0.weight.exp_avg</c>, <c>….momentum_buffer</c>); in <c>__metadata__</c>:
    /// <c>mtl.format</c> = <c>optimizer/1</c>, <c>mtl.optimizer</c> (SGD, Adam, AdamW), <c>mtl.groups</c>
    /// (count), <c>mtl.group.{i}.lr</c> (current rate, round-trip format) and <c>mtl.step.{parameter}</c>
    /// (update count) per parameter with state, plus the caller's <paramref name="metadata"/>, whose keys
    /// must not start with <c>mtl.</c>. Hyper-parameters other than the learning rate come from the code
    /// that builds the optimizer, as with PyTorch's load_state_dict.
    /// </summary>
    public static void SaveOptimizer<T>(string path, Optimizer<T> optimizer, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (tensors, meta) = OptimizerEntries(optimizer, metadata);
        AtomicFile.Write(path, s => SafeTensorsWriter.Write(s, tensors, meta));
    }

    /// <summary>The optimizer's state tensors and metadata entries (with the caller's metadata) for a file.</summary>
    private static (List<KeyValuePair<string, Tensor<T>>> Tensors, Dictionary<string, string> Metadata) OptimizerEntries<T>(Optimizer<T> optimizer, IReadOnlyDictionary<string, string>? metadata)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var meta = new Dictionary<string, string>(CheckUserMetadata(metadata, Reserved), StringComparer.Ordinal)
        {
            [FormatKey] = FormatValue,
            [OptimizerKey] = optimizer.Name,
            [GroupsKey] = optimizer.Groups.Count.ToString(CultureInfo.InvariantCulture),
        };
        for (int g = 0; g < optimizer.Groups.Count; g++)
        {
            meta[GroupLrKey(g)] = optimizer.Groups[g].LearningRate.ToString("R", CultureInfo.InvariantCulture);
        }

        var tensors = new List<KeyValuePair<string, Tensor<T>>>();
        for (int i = 0; i < optimizer.NamedParameters.Count; i++)
        {
            if (optimizer.StateAt(i) is not { } state)
            {
                continue;
            }

            string name = optimizer.NamedParameters[i].Key;
            meta[StepPrefix + name] = state.Step.ToString(CultureInfo.InvariantCulture);
            for (int j = 0; j < state.TensorNames.Count; j++)
            {
                tensors.Add(new(name + "." + state.TensorNames[j], state.GetTensor(j)));
            }
        }

        return (tensors, meta);
    }

    /// <summary>
    /// Loads a file written by <see cref="SaveOptimizer{T}(string, Optimizer{T}, IReadOnlyDictionary{string, string}?)"/>
    /// into <paramref name="optimizer"/>, which must be the same kind of optimizer over parameters of the same
    /// names, groups and shapes. Parameters without state in the file start fresh. Nothing changes unless the
    /// whole file checks out. A file that also holds a multi-task method's state needs
    /// <see cref="LoadOptimizer{T}(string, Optimizer{T}, IMultiTaskMethod{T})"/>.
    /// </summary>
    /// <returns>The file's metadata (including the <c>mtl.</c> entries).</returns>
    /// <exception cref="CheckpointException">The file is malformed or does not match the optimizer.</exception>
    public static IReadOnlyDictionary<string, string> LoadOptimizer<T>(string path, Optimizer<T> optimizer)
        where T : unmanaged, IFloatingPointIeee754<T> => LoadOptimizerAndMethod(path, optimizer, method: null);

    /// <summary>The load, with the multi-task method's state when <paramref name="method"/> is given.</summary>
    private static IReadOnlyDictionary<string, string> LoadOptimizerAndMethod<T>(string path, Optimizer<T> optimizer, IMultiTaskMethod<T>? method)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var file = SafeTensorsFile.Open(path);
        var meta = file.Metadata;
        Require(file, FormatKey, FormatValue);
        Require(file, OptimizerKey, optimizer.Name);
        Require(file, GroupsKey, optimizer.Groups.Count.ToString(CultureInfo.InvariantCulture));
        var rates = new double[optimizer.Groups.Count];
        for (int g = 0; g < rates.Length; g++)
        {
            if (!meta.TryGetValue(GroupLrKey(g), out var text)
                || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out rates[g])
                || !(rates[g] >= 0) || double.IsInfinity(rates[g]))
            {
                throw new CheckpointException(file.Path, null, $"metadata '{GroupLrKey(g)}' is missing or not a learning rate.");
            }
        }

        var states = new ParameterState<T>?[optimizer.NamedParameters.Count];
        var expected = new List<KeyValuePair<string, Tensor<T>>>();
        foreach (var (key, value) in meta)
        {
            if (!key.StartsWith(StepPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string name = key[StepPrefix.Length..];
            int index = optimizer.TryIndexOf(name);
            if (index < 0)
            {
                throw new CheckpointException(file.Path, name, $"the file has optimizer state for it, but the {optimizer.Name} optimizer has no such parameter.");
            }

            if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long step))
            {
                throw new CheckpointException(file.Path, name, $"step count '{value}' is not a non-negative integer.");
            }

            var state = optimizer.NewState(index);
            state.Step = step;
            states[index] = state;
            for (int j = 0; j < state.TensorNames.Count; j++)
            {
                expected.Add(new(name + "." + state.TensorNames[j], state.GetTensor(j)));
            }
        }

        var methodState = ReadMethodState(file, method);
        Match(file, expected, allowUnexpected: methodState is not null, "optimizer");

        // The new states are not attached yet, so reading straight into them leaves the optimizer untouched on failure.
        foreach (var (name, tensor) in expected)
        {
            file.Read<T>(file.Entries[name], tensor.Span);
        }

        if (methodState is not null)
        {
            LoadMethodState(file, method!, methodState, expected);
        }

        optimizer.ReplaceStates(states);
        for (int g = 0; g < rates.Length; g++)
        {
            optimizer.Groups[g].LearningRate = rates[g];
        }

        return meta;
    }

    private static string GroupLrKey(int group) => $"mtl.group.{group.ToString(CultureInfo.InvariantCulture)}.lr";

    private static void Require(SafeTensorsFile file, string key, string value)
    {
        if (!file.Metadata.TryGetValue(key, out var actual))
        {
            throw new CheckpointException(file.Path, null, $"metadata '{key}' is missing (not an optimizer checkpoint?); expected '{value}'.");
        }

        if (actual != value)
        {
            throw new CheckpointException(file.Path, null, $"metadata '{key}' is '{actual}' in file, '{value}' in the optimizer.");
        }
    }
}
