using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Mtl.Training.Checkpoints;

/// <summary>
/// Parses a safetensors header and checks it against the data section that follows it, with the rules of
/// the reference implementation (huggingface/safetensors, <c>SafeTensors::read_metadata</c> and
/// <c>Metadata::validate</c>; its error for each in brackets). With the checks on the 8-byte prefix in
/// <see cref="SafeTensorsFile.Open"/> (the file has 8 bytes [HeaderTooSmall], the header length N is at most
/// 100,000,000 [HeaderTooLarge] and fits in the file [InvalidHeaderLength]), a file loads only when:
/// <list type="number">
/// <item>the N header bytes are UTF-8 [InvalidHeader];</item>
/// <item>they are one JSON object, trailing spaces allowed [InvalidHeaderDeserialization], whose strings
/// have no lone surrogate escape such as <c>\ud800</c> (serde_json refuses to decode them);</item>
/// <item>its optional <c>__metadata__</c> is an object of strings (or null), and every other entry is an
/// object with a known <c>dtype</c>, a <c>shape</c> of non-negative integers and <c>data_offsets</c> of exactly
/// two non-negative integers [InvalidHeaderDeserialization];</item>
/// <item>taken in order of (begin, end), each tensor begins where the previous one ends, the first at 0,
/// and none ends before it begins [InvalidOffset]: no gaps, no overlaps, also for empty tensors;</item>
/// <item>elements × bits per element is computed without overflow [ValidationOverflow], is a whole number of
/// bytes [MisalignedSlice] and equals end − begin [TensorInvalidInfo];</item>
/// <item>the last tensor ends exactly at the end of the file [MetadataIncompleteBuffer]: no trailing bytes,
/// so a header length changed within the padding is caught instead of shifting every tensor.</item>
/// </list>
/// Mtl is stricter in three corners: a name (or <c>__metadata__</c>, or a metadata key) that appears twice is
/// an error rather than one of them winning; integers stop at 2^63 − 1 rather than 2^64 − 1 (no file is that
/// large); and JSON nesting stops at depth 16 (a header has depth 3).
/// </summary>
internal static class SafeTensorsHeader
{
    private const string MetadataKey = SafeTensorsWriter.MetadataKey;

    /// <summary>The entries by name and the metadata of <paramref name="header"/>, checked against a data
    /// section of <paramref name="dataLength"/> bytes.</summary>
    /// <exception cref="CheckpointException">Any rule above is broken; the message names <paramref name="path"/>.</exception>
    public static (Dictionary<string, SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(string path, byte[] header, long dataLength)
    {
        CheckUtf8(path, header);
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
            var root = document.RootElement;
            CheckStrings(path, root);
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(path, null, $"the header is a JSON {root.ValueKind}, not an object.");
            }

            var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            bool sawMetadata = false;
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name == MetadataKey)
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

            CheckLayout(path, entries.Values, dataLength);
            return (entries, metadata);
        }
    }

    /// <summary>Rule 1; the message gives the file offset of the first byte that is not UTF-8.</summary>
    private static void CheckUtf8(string path, byte[] header)
    {
        if (Utf8.IsValid(header))
        {
            return;
        }

        int at = 0;
        while (Rune.DecodeFromUtf8(header.AsSpan(at), out _, out int consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        throw new CheckpointException(path, null, $"the header is not valid UTF-8 (at byte {8 + at} of the file: 0x{header[at]:X2}).");
    }

    /// <summary>Rule 2's strings: with the bytes known to be UTF-8, decoding fails only on a \u escape that is
    /// half of a surrogate pair without the other half.</summary>
    private static void CheckStrings(string path, JsonElement root)
    {
        try
        {
            Visit(root);
        }
        catch (InvalidOperationException e)
        {
            throw new CheckpointException(path, null, "the header has a string with a lone surrogate escape (one half of a \\uD800-\\uDFFF pair), which is not Unicode text.", e);
        }

        static void Visit(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        Visit(property.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        Visit(item);
                    }

                    break;
                case JsonValueKind.String:
                    _ = element.GetString();
                    break;
            }
        }
    }

    private static void ParseMetadata(string path, JsonElement element, Dictionary<string, string> metadata)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

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

    /// <summary>Rules 3 and 5 for one entry, and its end within the data section (a clearer message for a
    /// truncated file than rule 6 would give).</summary>
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
        int bits = SafeTensorsDType.Bits(dtype);
        if (bits == 0)
        {
            throw new CheckpointException(path, name, $"unknown dtype \"{dtype}\".");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        int axis = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out shape[axis]) || shape[axis] < 0)
            {
                throw new CheckpointException(path, name, $"shape entry {axis} is not a non-negative integer.");
            }

            axis++;
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

        var entry = new SafeTensorsEntry(name, dtype, shape, begin, end);
        if (end > dataLength)
        {
            throw new CheckpointException(path, name, $"data_offsets [{begin}, {end}] are out of range: the data section has {dataLength} bytes (truncated?).");
        }

        // Multiplied in the reference's order, so a shape overflows here exactly when it overflows there.
        long size = 1;
        foreach (long dim in shape.Append(bits))
        {
            size = dim == 0 || size <= long.MaxValue / dim ? size * dim : throw new CheckpointException(path, name, $"{dtype} of shape {entry.ShapeText}: its size in bits overflows 64 bits.");
        }

        if (size % 8 != 0)
        {
            throw new CheckpointException(path, name, $"{dtype} of shape {entry.ShapeText} is {size} bits, not a whole number of bytes.");
        }

        if (end - begin != size / 8)
        {
            throw new CheckpointException(path, name, $"data_offsets [{begin}, {end}] span {end - begin} bytes, but {dtype} of shape {entry.ShapeText} needs {size / 8}.");
        }

        return entry;

        static long Offset(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) ? v : -1;
    }

    /// <summary>Rules 4 and 6: the tensors tile the data section from 0 to its end.</summary>
    private static void CheckLayout(string path, IEnumerable<SafeTensorsEntry> entries, long dataLength)
    {
        SafeTensorsEntry? previous = null;
        long covered = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < covered)
            {
                throw new CheckpointException(path, e.Name, $"data_offsets [{e.Begin}, {e.End}] overlap those of '{previous!.Name}' [{previous.Begin}, {previous.End}].");
            }

            if (e.Begin > covered)
            {
                string after = previous is null ? "before the first tensor" : $"after '{previous.Name}'";
                throw new CheckpointException(path, e.Name, $"data_offsets [{e.Begin}, {e.End}] leave bytes {covered}..{e.Begin} of the data section unused ({after}); tensors are stored back to back from offset 0.");
            }

            covered = e.End;
            previous = e;
        }

        if (covered != dataLength)
        {
            long trailing = dataLength - covered;
            throw new CheckpointException(path, null, $"the tensors end at byte {covered} of the data section, which has {dataLength}: {trailing} trailing byte{(trailing == 1 ? "" : "s")} (a wrong header length, or data appended to the file).");
        }
    }
}
