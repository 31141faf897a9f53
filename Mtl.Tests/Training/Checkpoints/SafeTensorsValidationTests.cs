using System.Buffers.Binary;
using System.Text;
using Mtl.Training.Checkpoints;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>
/// The reader rejects what the reference implementation (huggingface/safetensors, <c>read_metadata</c> and
/// <c>Metadata::validate</c>) rejects: data not covered back to back from offset 0 to the end of the file,
/// headers that are not UTF-8 or hold lone surrogates, and shapes whose size overflows; and it still accepts
/// what the reference accepts (any header order, empty tensors, dims beyond 2^31 when a dim is 0).
/// </summary>
public class SafeTensorsValidationTests
{
    private const string A8 = "\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}";

    [Test]
    public void HeaderLengthLoweredIntoThePaddingIsRejectedNotReadEarly([Values(1, 2, 3)] int lowered)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var saved = new TinyModel<float>(seed: 1);
        byte[] bytes = SaveWithPadding(saved, path, lowered);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, n - (ulong)lowered);
        File.WriteAllBytes(path, bytes);

        var model = new TinyModel<float>(seed: 2);
        var snapshot = model.Snapshot();
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadModel(path, model))!;
        Assert.That(model.Matches(snapshot), "nothing is loaded, least of all tensors shifted by the lowered length");
        Assert.That(ex.Message, Does.StartWith(path).And.Contain($"{lowered} trailing byte"));
        Assert.That(ex.TensorName, Is.Null);
    }

    [Test]
    public void GapsBetweenOrBeforeTensorsAreRejected()
    {
        Rejects(Raw("{" + A8 + ", \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [12, 20]}}", 20), "b", "bytes 8..12 of the data section");
        Rejects(Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "a", "bytes 0..4 of the data section");
    }

    [Test]
    public void TrailingBytesAfterTheLastTensorAreRejected()
    {
        Rejects(Raw("{" + A8 + "}", 12), null, "4 trailing bytes");
        Rejects(Raw("{}", 1), null, "1 trailing byte");
        Rejects(Raw("{\"__metadata__\": {\"k\": \"v\"}}", 3), null, "3 trailing bytes");
    }

    [Test]
    public void AnEmptyTensorInsideAnotherIsAnOverlap() =>
        Rejects(Raw("{" + A8 + ", \"e\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [4, 4]}}", 8), "e", "overlap those of 'a' [0, 8]");

    [Test]
    public void WhatTheReferenceAcceptsStillLoads()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ok.safetensors");

        // Header order differs from offset order; empty tensors at 0, between and at the end; a dim beyond 2^31 with a 0 beside it.
        File.WriteAllBytes(path, Raw(
            "{\"b\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [8, 16]}, " + A8 + ", "
            + "\"z0\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [0, 0]}, "
            + "\"z8\": {\"dtype\": \"I64\", \"shape\": [3000000000, 0], \"data_offsets\": [8, 8]}, "
            + "\"z16\": {\"dtype\": \"F4\", \"shape\": [0], \"data_offsets\": [16, 16]}, "
            + "\"c\": {\"dtype\": \"F4\", \"shape\": [3, 2], \"data_offsets\": [16, 19]}}",
            19));
        using (var file = SafeTensorsFile.Open(path))
        {
            Assert.That(file.Entries.Keys, Is.EquivalentTo(new[] { "a", "b", "c", "z0", "z8", "z16" }));
            Assert.That(file.Entries["z8"].ShapeText, Is.EqualTo("[3000000000, 0]"));
        }

        File.WriteAllBytes(path, Raw("{}", 0));
        using (var empty = SafeTensorsFile.Open(path))
        {
            Assert.That(empty.Entries, Is.Empty);
        }
    }

    [Test]
    public void SubByteTensorsMustEndOnAByte() =>
        Rejects(Raw("{\"c\": {\"dtype\": \"F4\", \"shape\": [3], \"data_offsets\": [0, 2]}}", 2), "c", "12 bits, not a whole number of bytes");

    [Test]
    public void HeaderThatIsNotUtf8IsACheckpointException()
    {
        // 0xFF never occurs in UTF-8; C0 AF is an overlong '/'; ED A0 80 is the surrogate U+D800 encoded directly.
        byte[] prefix = "{\"__metadata__\": {\"k\": \""u8.ToArray();
        foreach (byte[] bad in new[] { new byte[] { 0xFF }, [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82] })
        {
            byte[] header = [.. prefix, .. bad, .. "\"}}"u8];
            var ex = Rejects(RawBytes(header, 0), null, "not valid UTF-8");
            Assert.That(ex.Message, Does.Contain($"at byte {8 + prefix.Length} of the file"), "the offset of the first bad byte");
        }

        byte[] inName = [.. "{\"a"u8, 0xFF, .. "\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}}"u8];
        Rejects(RawBytes(inName, 0), null, "not valid UTF-8");
    }

    [Test]
    public void LoneSurrogateEscapesAreACheckpointException()
    {
        Rejects(Raw("{\"__metadata__\": {\"k\": \"x\\ud800\"}}", 0), null, "lone surrogate");
        Rejects(Raw("{\"__metadata__\": {\"\\udc00\": \"v\"}}", 0), null, "lone surrogate");
        Rejects(Raw("{\"a\\ud800\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0]}}", 0), null, "lone surrogate");
        Rejects(Raw("{\"a\": {\"dtype\": \"F3\\ud8002\", \"shape\": [0], \"data_offsets\": [0, 0]}}", 0), null, "lone surrogate");
        Rejects(Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [0, 0], \"note\": [\"\\udfff\"]}}", 0), null, "lone surrogate");

        using var dir = new TempDirectory();
        string path = dir.File("pair.safetensors");
        File.WriteAllBytes(path, Raw("{\"__metadata__\": {\"k\": \"\\ud83d\\ude00\"}}", 0));
        using var file = SafeTensorsFile.Open(path);
        Assert.That(file.Metadata["k"], Is.EqualTo("\U0001F600"), "a surrogate pair is one character, not an error");
    }

    [Test]
    public void ShapesWhoseSizeOverflowsAreRejectedNamingTheShape()
    {
        // 2^30 · 2^30 · 16 = 2^64 elements: the count wraps to 0 in 64 bits, which would match data_offsets [0, 0].
        Rejects(Raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [1073741824, 1073741824, 16], \"data_offsets\": [0, 0]}}", 0), "a", "[1073741824, 1073741824, 16]");

        // 2^62 elements fit, their 2^64 bytes do not.
        var ex = Rejects(Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [1073741824, 1073741824, 4], \"data_offsets\": [0, 0]}}", 0), "a", "[1073741824, 1073741824, 4]");
        Assert.That(ex.Message, Does.Contain("overflow").And.Not.Contain("needs 0"));

        Rejects(Raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 0]}}", 0), "a", "overflow");
        Rejects(Raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [18446744073709551616], \"data_offsets\": [0, 0]}}", 0), "a", "shape entry 0");
        Rejects(Raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 18446744073709551615]}}", 1), "a", "data_offsets");
    }

    /// <summary>Saves <paramref name="model"/>, with a metadata note whose length leaves at least
    /// <paramref name="spaces"/> spaces of padding after the JSON, and returns the file's bytes.</summary>
    private static byte[] SaveWithPadding(TinyModel<float> model, string path, int spaces)
    {
        for (int length = 0; length < 8; length++)
        {
            Checkpoint.SaveModel(path, model, new Dictionary<string, string> { ["note"] = new string('x', length) });
            byte[] bytes = File.ReadAllBytes(path);
            int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (bytes.AsSpan(8 + n - spaces, spaces).IndexOfAnyExcept((byte)' ') < 0)
            {
                return bytes;
            }
        }

        throw new AssertionException("no note length gave the padding");
    }

    /// <summary>Writes <paramref name="bytes"/> to a file and checks that opening it throws a
    /// <see cref="CheckpointException"/> that names the file (and <paramref name="tensor"/>) and says <paramref name="message"/>.</summary>
    private static CheckpointException Rejects(byte[] bytes, string? tensor, string message)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<CheckpointException>(() => SafeTensorsFile.Open(path).Dispose())!;
        Assert.That(ex.Message, Does.StartWith(path).And.Contain(message));
        Assert.That(ex.FilePath, Is.EqualTo(path));
        Assert.That(ex.TensorName, Is.EqualTo(tensor));
        return ex;
    }

    private static byte[] Raw(string header, int dataBytes) => RawBytes(Encoding.UTF8.GetBytes(header), dataBytes);

    /// <summary>A file with the given header bytes and <paramref name="dataBytes"/> zero bytes of data.</summary>
    private static byte[] RawBytes(byte[] header, int dataBytes)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }
}
