using System.Numerics;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Training.Checkpoints;

public static partial class Checkpoint
{
    /// <summary>
    /// Saves every named parameter and buffer of <paramref name="model"/> to <paramref name="path"/> as
    /// safetensors (F32 for float, F64 for double), with <paramref name="metadata"/> as the header's
    /// <c>__metadata__</c>. The file is replaced atomically: a failed save leaves an existing file intact.
    /// </summary>
    public static void SaveModel<T>(string path, Module<T> model, IReadOnlyDictionary<string, string>? metadata = null)
        where T : unmanaged, IFloatingPointIeee754<T> => SaveModel(path, model, metadata, wrap: null);

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="model"/>'s parameters and buffers. Every tensor of
    /// the model must be in the file with the same dtype and shape; tensors the model does not have are an
    /// error unless <paramref name="allowUnexpected"/>. With <paramref name="allowDTypeConversion"/> an F64
    /// file loads into a float model and an F32 file into a double one (F64 → F32 rounds to nearest; a value
    /// outside float32's range is an error); without it a dtype mismatch is an error naming the file, the
    /// tensor and both dtypes. The model is changed only after the whole file has been checked and read.
    /// </summary>
    /// <returns>The file's metadata.</returns>
    /// <exception cref="CheckpointException">The file is malformed or does not match the model.</exception>
    public static IReadOnlyDictionary<string, string> LoadModel<T>(string path, Module<T> model, bool allowUnexpected = false, bool allowDTypeConversion = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = ModelTensors(model);
        using var file = SafeTensorsFile.Open(path);
        Match(file, tensors, allowUnexpected, "model", allowDTypeConversion);
        var staged = new T[tensors.Count][];
        for (int i = 0; i < tensors.Count; i++)
        {
            staged[i] = new T[tensors[i].Value.Length];
            SafeTensorsConversion.Read<T>(file, file.Entries[tensors[i].Key], staged[i]);
        }

        for (int i = 0; i < tensors.Count; i++)
        {
            staged[i].CopyTo(tensors[i].Value.Span);
        }

        return file.Metadata;
    }

    /// <summary>The save with a hook that wraps the output stream (tests simulate a failing disk with it).</summary>
    internal static void SaveModel<T>(string path, Module<T> model, IReadOnlyDictionary<string, string>? metadata, Func<Stream, Stream>? wrap)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = ModelTensors(model);
        var meta = CheckUserMetadata(metadata, string.Empty);
        AtomicFile.Write(path, s => SafeTensorsWriter.Write(s, tensors, meta), wrap);
    }

    private static List<KeyValuePair<string, Tensor<T>>> ModelTensors<T>(Module<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensors = new List<KeyValuePair<string, Tensor<T>>>();
        foreach (var (name, p) in model.NamedParameters())
        {
            tensors.Add(new(name, p.Data));
        }

        tensors.AddRange(model.NamedBuffers());
        return tensors;
    }
}
