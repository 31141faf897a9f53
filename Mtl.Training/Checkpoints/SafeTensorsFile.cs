using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Mtl.Training.Checkpoints;

/// <summary>One tensor's entry in a safetensors header; offsets are relative to the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The shape as <c>[2, 3]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// An open safetensors file whose header has been read and checked on its own terms: the header length
/// fits the file, the header is a JSON object, every entry has a known dtype, a non-negative shape and
/// offsets that lie inside the data section, match the shape's byte size and do not overlap.
/// </summary>
internal sealed class SafeTensorsFile : IDisposable
{
    /// <summary>The reference implementation's limit on the header size.</summary>
    private const long MaxHeaderBytes = 100_000_000;

    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, SafeFileHandle handle, long dataStart, Dictionary<string, SafeTensorsEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file's path, for messages.</summary>
    public string Path { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorsEntry> Entries { get; }

    /// <summary>The header's <c>__metadata__</c> (empty when there is none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and checks <paramref name="path"/>.</summary>
    /// <exception cref="CheckpointException">The file is not a well-formed safetensors file.</exception>
    public static SafeTensorsFile Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length < 8)
            {
                throw new CheckpointException(path, null, $"the file has {length} bytes, fewer than the 8-byte header length (truncated?).");
            }

            Span<byte> prefix = stackalloc byte[8];
            ReadExactly(handle, prefix, 0, path);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > (ulong)(length - 8))
            {
                throw new CheckpointException(path, null, $"the header length {headerLength} is larger than the {length - 8} bytes that follow it (truncated, or not a safetensors file).");
            }

            if ((long)headerLength > MaxHeaderBytes)
            {
                throw new CheckpointException(path, null, $"the header length {headerLength} exceeds the format's limit of {MaxHeaderBytes} bytes.");
            }

            var header = new byte[headerLength];
            ReadExactly(handle, header, 8, path);
            long dataStart = 8 + (long)headerLength;
            var (entries, metadata) = ParseHeader(path, header, length - dataStart);
            return new SafeTensorsFile(path, handle, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Reads an entry's bytes into <paramref name="destination"/> (which has its exact size).</summary>
    public void Read<T>(SafeTensorsEntry entry, Span<T> destination)
        where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints are little-endian; this machine is big-endian.");
        }

        var bytes = MemoryMarshal.AsBytes(destination);
        if (bytes.Length != entry.End - entry.Begin)
        {
            throw new CheckpointException(Path, entry.Name, $"{entry.End - entry.Begin} bytes in file, {bytes.Length} expected.");
        }

        ReadExactly(_handle, bytes, _dataStart + entry.Begin, Path);
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            int n = RandomAccess.Read(handle, buffer, offset);
            if (n == 0)
            {
                throw new CheckpointException(path, null, $"the file ended at byte {offset} while reading (it changed or is truncated).");
            }

            buffer = buffer[n..];
            offset += n;
        }
    }

    private static (Dictionary<string, SafeTensorsEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, null, $"the header is not valid JSON ({e.Message}).", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(path, null, $"the header is a JSON {document.RootElement.ValueKind}, not an object.");
            }

            var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == SafeTensorsWriter.MetadataKey)
                {
                    if (sawMetadata)
                    {
                        throw new CheckpointException(path, null, "the header has two __metadata__ entries.");
                    }

                    sawMetadata = true;
                    ParseMetadata(path, property.Value, metadata);
                    continue;
                }

                var entry = ParseEntry(path, property.Name, property.Value, dataLength);
                if (!entries.TryAdd(entry.Name, entry))
                {
                    throw new CheckpointException(path, entry.Name, "the name appears twice in the header.");
                }
            }

            CheckNoOverlap(path, entries.Values);
            return (entries, metadata);
        }
    }

    private static void ParseMetadata(string path, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new CheckpointException(path, null, "__metadata__ is not a JSON object.");
        }

        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw new CheckpointException(path, null, $"__metadata__ entry '{item.Name}' is not a string.");
            }

            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw new CheckpointException(path, null, $"__metadata__ entry '{item.Name}' appears twice.");
            }
        }
    }

    private static SafeTensorsEntry ParseEntry(string path, string name, JsonElement element, long dataLength)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !element.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw new CheckpointException(path, name, "the header entry needs a string \"dtype\", an array \"shape\" and an array \"data_offsets\".");
        }

        string dtype = dtypeElement.GetString()!;
        int size = SafeTensorsDType.Size(dtype);
        if (size == 0)
        {
            throw new CheckpointException(path, name, $"unknown dtype \"{dtype}\".");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        long count = 1;
        int axis = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0 || dim > int.MaxValue)
            {
                throw new CheckpointException(path, name, $"shape entry {axis} is not a non-negative integer.");
            }

            shape[axis++] = dim;
            count = dim == 0 || count <= long.MaxValue / dim ? count * dim : throw new CheckpointException(path, name, "the shape has too many elements.");
        }

        if (offsetsElement.GetArrayLength() != 2)
        {
            throw new CheckpointException(path, name, "data_offsets must hold exactly [begin, end].");
        }

        long begin = Offset(offsetsElement[0]);
        long end = Offset(offsetsElement[1]);
        if (begin < 0 || end < begin)
        {
            throw new CheckpointException(path, name, "data_offsets must be non-negative integers with begin <= end.");
        }

        if (end > dataLength)
        {
            throw new CheckpointException(path, name, $"data_offsets [{begin}, {end}] are out of range: the data section has {dataLength} bytes (truncated?).");
        }

        if (count > long.MaxValue / size || end - begin != count * size)
        {
            throw new CheckpointException(path, name, $"data_offsets [{begin}, {end}] span {end - begin} bytes, but {dtype} of shape [{string.Join(", ", shape)}] needs {count * size}.");
        }

        return new SafeTensorsEntry(name, dtype, shape, begin, end);

        static long Offset(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) ? v : -1;
    }

    private static void CheckNoOverlap(string path, IEnumerable<SafeTensorsEntry> entries)
    {
        SafeTensorsEntry? previous = null;
        foreach (var e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && e.Begin < previous.End)
            {
                throw new CheckpointException(path, e.Name, $"data_offsets [{e.Begin}, {e.End}] overlap those of '{previous.Name}' [{previous.Begin}, {previous.End}].");
            }

            previous = e;
        }
    }
}
