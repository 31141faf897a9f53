using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// Reads the IDX format of MNIST and Fashion-MNIST, gzip-compressed or not: a big-endian header
/// (magic 0x00000803 for images or 0x00000801 for labels: two zero bytes, the type 0x08 = unsigned byte,
/// the number of dimensions; then one 32-bit count per dimension), followed by exactly the product of
/// the counts in bytes. Anything else (wrong magic, a zero or negative count, a short or long payload,
/// a corrupt gzip stream) is a <see cref="DataFormatException"/> naming the file.
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
        var (dims, bytes, payload) = ReadIdx(path, ImagesMagic, "images");
        var images = new Tensor<T>(dims[0], 1, dims[1], dims[2]);
        var x = images.Span;
        T scale = T.One / T.CreateChecked(255);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.CreateChecked(bytes[payload + i]) * scale;
        }

        return images;
    }

    /// <summary>Labels as integers 0..255.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is not a valid IDX label file.</exception>
    public static int[] ReadLabels(string path)
    {
        var (dims, bytes, payload) = ReadIdx(path, LabelsMagic, "labels");
        var labels = new int[dims[0]];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = bytes[payload + i];
        }

        return labels;
    }

    /// <summary>The header's dimensions, the whole decompressed file and where the payload starts.</summary>
    private static (int[] Dims, byte[] Bytes, int Payload) ReadIdx(string path, int expectedMagic, string kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX {kind} file '{path}' does not exist (full path '{Path.GetFullPath(path)}').", path);
        }

        byte[] bytes = ReadAllBytes(path);
        int rank = expectedMagic & 0xFF;
        int header = 4 + (4 * rank);
        if (bytes.Length < header)
        {
            throw Error(path, $"only {bytes.Length} bytes, shorter than the {header}-byte header of an IDX {kind} file.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(bytes);
        if (magic != expectedMagic)
        {
            throw Error(path, $"magic number 0x{magic:X8}, expected 0x{expectedMagic:X8} for IDX {kind} (unsigned bytes, {rank} dimension{(rank == 1 ? "" : "s")}).");
        }

        var dims = new int[rank];
        long expected = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + (4 * d)));
            if (dims[d] <= 0)
            {
                throw Error(path, $"dimension {d} of the header is {dims[d]}; every count must be positive.");
            }

            expected *= dims[d];
        }

        long actual = bytes.Length - header;
        if (actual != expected)
        {
            string what = actual < expected ? "truncated" : "longer than its header says";
            throw Error(path, $"{what}: the header [{string.Join(" x ", dims)}] needs {expected} bytes of data after it, the file has {actual}.");
        }

        return (dims, bytes, header);
    }

    /// <summary>The file's bytes, decompressed when it starts with the gzip signature 1F 8B.</summary>
    private static byte[] ReadAllBytes(string path)
    {
        using var file = File.OpenRead(path);
        Span<byte> signature = stackalloc byte[2];
        int got = file.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        file.Position = 0;
        if (got < 2 || signature[0] != 0x1F || signature[1] != 0x8B)
        {
            using var raw = new MemoryStream();
            file.CopyTo(raw);
            return raw.ToArray();
        }

        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"'{path}': the gzip stream is corrupt or truncated ({e.Message}).", e);
        }
    }

    private static DataFormatException Error(string path, string problem) => new(path, null, null, problem);
}
