using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Checkpoints;

/// <summary>
/// Saving and loading models and optimizers in the safetensors format, which PyTorch reads with
/// <c>safetensors.torch.load_file</c>. A model file holds every named parameter and buffer under its
/// hierarchical name (<c>shared.0.weight</c>); an optimizer file is a second safetensors file described
/// on <see cref="SaveOptimizer{T}(string, Optim.Optimizer{T}, IReadOnlyDictionary{string, string}?)"/>.
/// Saves replace the file atomically; loads check the whole file against the model or optimizer
/// before changing anything, and throw <see cref="CheckpointException"/> on the first mismatch.
/// </summary>
public static partial class Checkpoint
{
    private static readonly IReadOnlyDictionary<string, string> _noMetadata = new Dictionary<string, string>();

    /// <summary>
    /// Checks that the file holds exactly the <paramref name="expected"/> tensors (extra ones allowed
    /// with <paramref name="allowUnexpected"/>) with the dtype of T (or, with <paramref name="allowDTypeConversion"/>,
    /// the other of F32 and F64) and the same shapes.
    /// </summary>
    private static void Match<T>(SafeTensorsFile file, IReadOnlyList<KeyValuePair<string, Tensor<T>>> expected, bool allowUnexpected, string owner, bool allowDTypeConversion = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in expected)
        {
            names.Add(name);
            if (!file.Entries.TryGetValue(name, out var entry))
            {
                throw new CheckpointException(file.Path, name, $"missing from the file (the {owner} has it, shape {tensor.Shape}).");
            }

            if (SafeTensorsConversion.Mismatch<T>(entry, allowDTypeConversion, owner) is { } problem)
            {
                throw new CheckpointException(file.Path, name, problem);
            }

            if (!SameShape(entry.Shape, tensor.Shape))
            {
                throw new CheckpointException(file.Path, name, $"shape {entry.ShapeText} in file, {tensor.Shape} in {owner}.");
            }
        }

        if (!allowUnexpected)
        {
            foreach (var name in file.Entries.Keys)
            {
                if (!names.Contains(name))
                {
                    throw new CheckpointException(file.Path, name, $"in the file but not in the {owner} (unexpected tensor).");
                }
            }
        }
    }

    private static bool SameShape(long[] file, Shape shape)
    {
        if (file.Length != shape.Rank)
        {
            return false;
        }

        for (int a = 0; a < file.Length; a++)
        {
            if (file[a] != shape[a])
            {
                return false;
            }
        }

        return true;
    }

    private static IReadOnlyDictionary<string, string> CheckUserMetadata(IReadOnlyDictionary<string, string>? metadata, string reservedPrefix)
    {
        if (metadata is null)
        {
            return _noMetadata;
        }

        foreach (var key in metadata.Keys)
        {
            if (reservedPrefix.Length > 0 && key.StartsWith(reservedPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Checkpoint: metadata keys starting with '{reservedPrefix}' are reserved ('{key}').", nameof(metadata));
            }
        }

        return metadata;
    }
}
