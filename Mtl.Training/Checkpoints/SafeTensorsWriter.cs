using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mtl.Tensors;

namespace Mtl.Training.Checkpoints;

/// <summary>
/// Writes the safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// <c>{"__metadata__": {…}, "name": {"dtype", "shape", "data_offsets": [begin, end]}, …}</c> padded with
/// spaces to a multiple of 8 (as the reference implementation does, so the data is 8-byte aligned), then
/// the tensors' little-endian bytes back to back in header order; offsets count from the end of the header.
/// </summary>
internal static class SafeTensorsWriter
{
    public const string MetadataKey = "__metadata__";

    public static void Write<T>(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor<T>>> tensors, IReadOnlyDictionary<string, string> metadata)
        where T : unmanaged, IFloatingPointIeee754<T> => Write(stream, tensors, [], metadata);

    /// <summary>The tensors in T's dtype, then 1-D float64 arrays (F64) whatever T is: safetensors gives every
    /// tensor its own dtype, and state kept in float64 (a multi-task method's) must not round to float32.</summary>
    public static void Write<T>(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor<T>>> tensors, IReadOnlyList<KeyValuePair<string, double[]>> float64, IReadOnlyDictionary<string, string> metadata)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints are written as little-endian; this machine is big-endian.");
        }

        byte[] header = Header(tensors, float64, metadata);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var (_, tensor) in tensors)
        {
            stream.Write(MemoryMarshal.AsBytes(tensor.ReadOnlySpan));
        }

        foreach (var (_, values) in float64)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
    }

    private static byte[] Header<T>(IReadOnlyList<KeyValuePair<string, Tensor<T>>> tensors, IReadOnlyList<KeyValuePair<string, double[]>> float64, IReadOnlyDictionary<string, string> metadata)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var json = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
            }

            string dtype = SafeTensorsDType.Of<T>();
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                var shape = new long[tensor.Rank];
                for (int a = 0; a < shape.Length; a++)
                {
                    shape[a] = tensor.Shape[a];
                }

                WriteEntry(w, names, name, dtype, shape, (long)tensor.Length * Marshal.SizeOf<T>(), ref offset);
            }

            foreach (var (name, values) in float64)
            {
                WriteEntry(w, names, name, "F64", [values.Length], (long)values.Length * sizeof(double), ref offset);
            }

            w.WriteEndObject();
        }

        int padded = (json.WrittenCount + 7) / 8 * 8;
        var header = new byte[padded];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteEntry(Utf8JsonWriter w, HashSet<string> names, string name, string dtype, long[] shape, long bytes, ref long offset)
    {
        if (string.IsNullOrEmpty(name) || name == MetadataKey || !names.Add(name))
        {
            throw new ArgumentException($"Checkpoint: the tensor name '{name}' is empty, reserved or used twice.", nameof(name));
        }

        w.WriteStartObject(name);
        w.WriteString("dtype", dtype);
        w.WriteStartArray("shape");
        foreach (long d in shape)
        {
            w.WriteNumberValue(d);
        }

        w.WriteEndArray();
        w.WriteStartArray("data_offsets");
        w.WriteNumberValue(offset);
        w.WriteNumberValue(offset + bytes);
        w.WriteEndArray();
        w.WriteEndObject();
        offset += bytes;
    }
}
