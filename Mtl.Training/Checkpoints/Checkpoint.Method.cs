using System.Globalization;
using System.Numerics;
using Mtl.Tensors;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Training.Checkpoints;

// A multi-task method's state (learned weights, loss histories, generators) in the optimizer's file.
public static partial class Checkpoint
{
    private const string MethodKey = "mtl.method";
    private const string MethodPrefix = "mtl.method.";

    /// <summary>
    /// Saves <paramref name="optimizer"/>'s state as <see cref="SaveOptimizer{T}(string, Optimizer{T}, IReadOnlyDictionary{string, string}?)"/>
    /// does, and in the same file the state of the multi-task method (<c>trainer.Method</c>): its name as
    /// <c>mtl.method</c>, its float64 arrays as F64 tensors <c>mtl.method.{entry}</c> (whatever T is, so nothing
    /// rounds) and its integers as metadata <c>mtl.method.{entry}</c>. A run resumed from the file with
    /// <see cref="LoadOptimizer{T}(string, Optimizer{T}, IMultiTaskMethod{T})"/> continues bit for bit.
    /// </summary>
    public static void SaveOptimizer<T>(string path, Optimizer<T> optimizer, IMultiTaskMethod<T> method, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(method);
        var (tensors, meta) = OptimizerEntries(optimizer, metadata);
        var state = new MethodState();
        method.SaveState(state);
        meta[MethodKey] = method.Name;
        var arrays = new List<KeyValuePair<string, double[]>>();
        foreach (var name in state.Names)
        {
            if (state.Entry(name) is long value)
            {
                meta[MethodPrefix + name] = value.ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                arrays.Add(new(MethodPrefix + name, (double[])state.Entry(name)));
            }
        }

        AtomicFile.Write(path, s => SafeTensorsWriter.Write(s, tensors, arrays, meta));
    }

    /// <summary>
    /// Loads a file written by <see cref="SaveOptimizer{T}(string, Optimizer{T}, IMultiTaskMethod{T}, IReadOnlyDictionary{string, string}?)"/>
    /// into <paramref name="optimizer"/> and <paramref name="method"/>, which must be built as the saved ones were
    /// (same kind, same tasks). Nothing changes unless the whole file checks out, the method's part included.
    /// </summary>
    /// <returns>The file's metadata (including the <c>mtl.</c> entries).</returns>
    /// <exception cref="CheckpointException">The file is malformed, does not match the optimizer, holds no state or
    /// another method's, or the method rejects its state (the message says which entry and why).</exception>
    public static IReadOnlyDictionary<string, string> LoadOptimizer<T>(string path, Optimizer<T> optimizer, IMultiTaskMethod<T> method)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(method);
        return LoadOptimizerAndMethod(path, optimizer, method);
    }

    /// <summary>The method's entries of the file, or null without a method (when the file must have none).</summary>
    private static MethodState? ReadMethodState<T>(SafeTensorsFile file, IMultiTaskMethod<T>? method)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool hasState = file.Metadata.TryGetValue(MethodKey, out var saved);
        if (method is null)
        {
            return hasState
                ? throw new CheckpointException(file.Path, null, $"the file holds the state of the multi-task method '{saved}'; load it with LoadOptimizer(path, optimizer, trainer.Method).")
                : null;
        }

        if (!hasState)
        {
            throw new CheckpointException(file.Path, null, $"the file holds no multi-task method state (it was saved without one), but the state of '{method.Name}' was asked for.");
        }

        if (saved != method.Name)
        {
            throw new CheckpointException(file.Path, null, $"metadata '{MethodKey}' is '{saved}' in file, '{method.Name}' in the trainer.");
        }

        var state = new MethodState();
        foreach (var (key, value) in file.Metadata)
        {
            if (key.StartsWith(MethodPrefix, StringComparison.Ordinal))
            {
                state.AddLoaded(key[MethodPrefix.Length..], long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)
                    ? n
                    : throw new CheckpointException(file.Path, key, $"'{value}' is not a 64-bit integer."));
            }
        }

        foreach (var (name, entry) in file.Entries)
        {
            if (!name.StartsWith(MethodPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (entry.DType != "F64" || entry.Shape.Length != 1)
            {
                throw new CheckpointException(file.Path, name, $"dtype {entry.DType} and shape {entry.ShapeText} in file; multi-task method state is 1-D F64.");
            }

            var values = new double[entry.Shape[0]];
            file.Read<double>(entry, values);
            state.AddLoaded(name[MethodPrefix.Length..], values);
        }

        return state;
    }

    /// <summary>Hands the state to the method; any rejection or unread entry restores the method's state before it throws.</summary>
    private static void LoadMethodState<T>(SafeTensorsFile file, IMultiTaskMethod<T> method, MethodState state, List<KeyValuePair<string, Tensor<T>>> optimizerTensors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var known = new HashSet<string>(optimizerTensors.Select(t => t.Key), StringComparer.Ordinal);
        foreach (var name in file.Entries.Keys)
        {
            if (!known.Contains(name) && !name.StartsWith(MethodPrefix, StringComparison.Ordinal))
            {
                throw new CheckpointException(file.Path, name, "in the file but not in the optimizer (unexpected tensor).");
            }
        }

        var backup = new MethodState();
        method.SaveState(backup);
        try
        {
            method.LoadState(state);
            if (state.Unread.FirstOrDefault() is { } unread)
            {
                throw new InvalidDataException($"method state '{unread}' is in the file but '{method.Name}' does not read it (saved by a differently built method?).");
            }
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidDataException or ArgumentException)
        {
            method.LoadState(backup);
            throw new CheckpointException(file.Path, null, $"multi-task method '{method.Name}': {e.Message}", e);
        }
    }
}
