using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mtl.Training.Checkpoints;

/// <summary>One tensor's entry in a safetensors header; offsets are relative to the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, string DType, long[] Shape, long Begin, long End)
{
    /// <summary>The shape as <c>[2, 3]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>
/// An open safetensors file whose header has been read and checked against the file with the reference
/// implementation's rules (listed on <see cref="SafeTensorsHeader"/>): the tensors' offsets match their
/// shapes and cover the data section back to back, from its first byte to the end of the file.
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
            var (entries, metadata) = SafeTensorsHeader.Parse(path, header, length - dataStart);
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
}
