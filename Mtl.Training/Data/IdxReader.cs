using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST, gzip-compressed or not: a big-endian header
/// (magic 0x00000803 for images or 0x00000801 for labels: two zero bytes, the type 0x08 = unsigned byte,
/// the number of dimensions; then one 32-bit count per dimension), followed by exactly the product of
/// the counts in bytes. Anything else (wrong magic, a zero or negative count, counts whose product
/// overflows, a short or long payload, a corrupt gzip stream) is a <see cref="DataFormatException"/>
/// naming the file and the counts.
/// </summary>
public static class IdxReader
{
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;

    /// <summary>Images as [N, 1, rows, cols] with pixel values scaled from 0..255 to [0, 1].</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not a valid IDX image file.</exception>
    public static Tensor<T> ReadImages<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (dims, payload) = ReadIdx(path, ImagesMagic, "images");
        var images = new Tensor<T>(dims[0], 1, dims[1], dims[2]);
        var x = images.Span;
        T scale = T.One / T.CreateChecked(255);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateChecked(payload[i]) * scale;
        }

        return images;
    }

    /// <summary>Labels as integers 0..255.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not a valid IDX label file.</exception>
    public static int[] ReadLabels(string path)
    {
        var (dims, payload) = ReadIdx(path, LabelsMagic, "labels");
        var labels = new int[dims[0]];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = payload[i];
        }

        return labels;
    }

    /// <summary>The header's dimensions and the payload, read from the (decompressed) file. The payload is
    /// read only after the header has been checked, so its size is known before anything is allocated.</summary>
    private static (int[] Dims, byte[] Payload) ReadIdx(string path, int expectedMagic, string kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX {kind} file '{path}' does not exist (full path '{Path.GetFullPath(path)}').", path);
        }

        using var stream = OpenDecompressed(path);
        try
        {
            return ReadIdx(stream, path, expectedMagic, kind);
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"'{path}': the gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }

    private static (int[] Dims, byte[] Payload) ReadIdx(Stream stream, string path, int expectedMagic, string kind)
    {
        int rank = expectedMagic & 0xFF;
        var header = new byte[4 + (4 * rank)];
        int got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got < header.Length)
        {
            throw Error(path, $"only {got} bytes, shorter than the {header.Length}-byte header of an IDX {kind} file.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expectedMagic)
        {
            throw Error(path, $"magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} for IDX {kind} (unsigned bytes, {rank} dimension{(rank == 1 ? "" : "s")}).");
        }

        var dims = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + (4 * d)));
            if (dims[d] <= 0)
            {
                throw Error(path, $"dimension {d} of the header is {dims[d]}; every count must be positive.");
            }
        }

        // Three counts below 2^31 can multiply past 2^63 (2^30 · 2^30 · 16 wraps to exactly 0, which would
        // match an empty payload); checked arithmetic turns that into an error instead.
        string shape = $"[{string.Join(" x ", dims)}]";
        long expected = 1;
        try
        {
            foreach (int dim in dims)
            {
                expected = checked(expected * dim);
            }
        }
        catch (OverflowException)
        {
            throw Error(path, $"the header {shape} asks for more than 2^63 bytes of data (the product of the counts overflows); the file is corrupt or not IDX.");
        }

        var (payload, actual) = ReadPayload(stream, expected);
        if (actual != expected)
        {
            string what = actual < expected ? "truncated" : "longer than its header says";
            throw Error(path, $"{what}: the header {shape} needs {expected} bytes of data after it, the file has {actual}.");
        }

        return (dims, payload ?? throw Error(path, $"the header {shape} needs {expected} bytes of data, more than one array holds ({Array.MaxLength})."));
    }

    /// <summary>
    /// The payload when the stream holds exactly <paramref name="expected"/> more bytes and they fit in one
    /// array (else null), and how many bytes it holds. Memory grows with the bytes actually there, so a
    /// corrupt header that claims gigabytes costs nothing before the short payload is found.
    /// </summary>
    private static (byte[]? Payload, long Available) ReadPayload(Stream stream, long expected)
    {
        if (stream.CanSeek && stream.Length - stream.Position != expected)
        {
            return (null, stream.Length - stream.Position);
        }

        if (expected > Array.MaxLength)
        {
            return (null, Drain(stream));
        }

        var payload = new byte[Math.Min(expected, 1 << 20)];
        int filled = 0;
        while (true)
        {
            filled += stream.ReadAtLeast(payload.AsSpan(filled), payload.Length - filled, throwOnEndOfStream: false);
            if (filled < payload.Length)
            {
                return (null, filled);
            }

            if (filled == expected)
            {
                long extra = Drain(stream);
                return (extra == 0 ? payload : null, expected + extra);
            }

            Array.Resize(ref payload, (int)Math.Min(expected, 2L * payload.Length));
        }
    }

    /// <summary>Reads the rest of the stream and returns how many bytes there were.</summary>
    private static long Drain(Stream stream)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = stream.Read(buffer)) > 0;)
        {
            total += n;
        }

        return total;
    }

    /// <summary>The file, decompressed when it starts with the gzip signature 1F 8B.</summary>
    private static Stream OpenDecompressed(string path)
    {
        var file = File.OpenRead(path);
        try
        {
            Span<byte> signature = stackalloc byte[2];
            int got = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
            file.Position = 0;
            return got == 2 && signature[0] == 0x1F && signature[1] == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static DataFormatException Error(string path, string problem) => new(path, null, null, problem);
}
