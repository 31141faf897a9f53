using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Checkpoints;

public static partial class Checkpoint
{
    /// <summary>
    /// Saves named tensors to <paramref name="path"/> as safetensors (F32 for float, F64 for double), in the
    /// order given, with <paramref name="metadata"/> as the header's <c>__metadata__</c>: the file
    /// <c>safetensors.torch.save_file</c> writes for the same dictionary. The file is replaced atomically.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, <c>__metadata__</c> or given twice, or a tensor is null.</exception>
    public static void SaveTensors<T>(string path, IEnumerable<KeyValuePair<string, Tensor<T>>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<KeyValuePair<string, Tensor<T>>>();
        foreach (var (name, tensor) in tensors)
        {
            if (tensor is null)
            {
                throw new ArgumentException($"Checkpoint.SaveTensors: the tensor '{name}' is null.", nameof(tensors));
            }

            list.Add(new(name, tensor));
        }

        var meta = CheckUserMetadata(metadata, string.Empty);
        AtomicFile.Write(path, s => SafeTensorsWriter.Write(s, list, meta));
    }

    /// <summary>
    /// Loads every tensor of a safetensors file as a <see cref="Tensor{T}"/>, in file order, with the header's
    /// metadata. Each tensor must be T's dtype (F32 for float, F64 for double); with
    /// <paramref name="allowDTypeConversion"/> F32 and F64 tensors load into either (F64 → F32 rounds to
    /// nearest). The file is checked whole (the rules on <see cref="SafeTensorsHeader"/>) before any tensor is read.
    /// </summary>
    /// <exception cref="CheckpointException">The file is malformed, holds a dtype that cannot be loaded as T, or a
    /// shape Mtl's tensors cannot hold; the message names the file, the tensor and both dtypes.</exception>
    public static NamedTensors<T> LoadTensors<T>(string path, bool allowDTypeConversion = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = SafeTensorsFile.Open(path);
        var entries = file.Entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        var shapes = new Shape[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            string? problem = SafeTensorsConversion.Mismatch<T>(entry, allowDTypeConversion, "the requested tensor type");
            if (problem is not null)
            {
                throw new CheckpointException(file.Path, entry.Name, problem);
            }

            shapes[i] = ShapeOf(file.Path, entry);
        }

        var tensors = new OrderedDictionary<string, Tensor<T>>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var tensor = new Tensor<T>(shapes[i]);
            SafeTensorsConversion.Read(file, entries[i], tensor.Span);
            tensors.Add(entries[i].Name, tensor);
        }

        return new NamedTensors<T>(tensors, file.Metadata);
    }

    /// <summary>The file's shape as Mtl's (dimensions and element count within <see cref="int"/>, rank at most <see cref="Shape.MaxRank"/>).</summary>
    private static Shape ShapeOf(string path, SafeTensorsEntry entry)
    {
        if (entry.Shape.Length > Shape.MaxRank || entry.Shape.Any(d => d > int.MaxValue))
        {
            throw new CheckpointException(path, entry.Name, $"shape {entry.ShapeText} is beyond Mtl's tensors (rank at most {Shape.MaxRank}, at most {int.MaxValue} elements).");
        }

        try
        {
            return new Shape([.. entry.Shape.Select(d => (int)d)]);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(path, entry.Name, $"shape {entry.ShapeText} is beyond Mtl's tensors ({e.Message})", e);
        }
    }
}
