using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Mtl.Training.Checkpoints;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>Model checkpoints: the exact bytes of the format (against Golden/safetensors_fixtures.py),
/// round trips, and every kind of damaged or mismatched file.</summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class ModelCheckpointTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static string Fixture => Path.Combine(TestContext.CurrentContext.TestDirectory, "Training", "Checkpoints", "Golden",
        typeof(T) == typeof(float) ? "tiny_model_f32.safetensors" : "tiny_model_f64.safetensors");

    private static readonly Dictionary<string, string> _epoch3 = new() { ["epoch"] = "3" };

    [Test]
    public void WritesTheBytesOfTheIndependentPythonWriter()
    {
        using var dir = new TempDirectory();
        var model = new TinyModel<T>(seed: 1);
        model.FillFixtureValues();
        Checkpoint.SaveModel(dir.File("m.safetensors"), model, _epoch3);
        Assert.That(File.ReadAllBytes(dir.File("m.safetensors")), Is.EqualTo(File.ReadAllBytes(Fixture)));
        Assert.That(dir.Entries(), Is.EqualTo(new[] { "m.safetensors" }));
    }

    [Test]
    public void HeaderIsPaddedWithSpacesToAMultipleOfEight()
    {
        using var dir = new TempDirectory();
        Checkpoint.SaveModel(dir.File("m.safetensors"), new TinyModel<T>(seed: 1));
        var bytes = File.ReadAllBytes(dir.File("m.safetensors"));
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(n % 8, Is.Zero);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.That(header.TrimEnd(' '), Does.StartWith("{\"shared.0.weight\":{\"dtype\":\"").And.EndWith("}"));
        Assert.That(header, Does.Not.Contain("__metadata__"), "no metadata given, none written");
    }

    [Test]
    public void LoadsTheIndependentPythonFile()
    {
        var expected = new TinyModel<T>(seed: 1);
        expected.FillFixtureValues();
        var model = new TinyModel<T>(seed: 2);
        var metadata = Checkpoint.LoadModel(Fixture, model);
        Assert.That(model.Matches(expected.Snapshot()));
        Assert.That(metadata, Is.EqualTo(_epoch3));
    }

    [Test]
    public void RoundTripsParametersAndBuffers()
    {
        using var dir = new TempDirectory();
        var saved = new TinyModel<T>(seed: 7, head: true);
        var loaded = new TinyModel<T>(seed: 8, head: true);
        Assert.That(loaded.Matches(saved.Snapshot()), Is.False);
        Checkpoint.SaveModel(dir.File("m.safetensors"), saved, new Dictionary<string, string> { ["note"] = "ünïcode ok" });
        var metadata = Checkpoint.LoadModel(dir.File("m.safetensors"), loaded);
        Assert.That(loaded.Matches(saved.Snapshot()));
        Assert.That(metadata["note"], Is.EqualTo("ünïcode ok"));
    }

    [Test]
    public void OverwritesAnExistingCheckpoint()
    {
        using var dir = new TempDirectory();
        var model = new TinyModel<T>(seed: 1);
        Checkpoint.SaveModel(dir.File("m.safetensors"), model);
        model.RunningMean.Fill(T.CreateTruncating(42.0));
        Checkpoint.SaveModel(dir.File("m.safetensors"), model);
        var loaded = new TinyModel<T>(seed: 3);
        Checkpoint.LoadModel(dir.File("m.safetensors"), loaded);
        Assert.That(double.CreateTruncating(loaded.RunningMean[0]), Is.EqualTo(42.0));
        Assert.That(dir.Entries(), Has.Length.EqualTo(1));
    }

    [Test]
    public void AFailedSaveLeavesTheOldFileIntactAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var model = new TinyModel<T>(seed: 1);
        Checkpoint.SaveModel(path, model);
        var before = File.ReadAllBytes(path);

        var changed = new TinyModel<T>(seed: 5);
        foreach (long failAfter in new long[] { 0, 5, 100, before.Length - 1 })
        {
            var ex = Assert.Throws<IOException>(() => Checkpoint.SaveModel(path, changed, null, s => new FailingStream(s, failAfter)));
            Assert.That(ex!.Message, Does.Contain("simulated failure"));
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(before), $"failing after {failAfter} bytes");
            Assert.That(dir.Entries(), Is.EqualTo(new[] { "m.safetensors" }), "the temporary file is removed");
        }

        Assert.Throws<IOException>(() => Checkpoint.SaveModel(dir.File("new.safetensors"), changed, null, s => new FailingStream(s, 50)));
        Assert.That(dir.Entries(), Is.EqualTo(new[] { "m.safetensors" }), "a failed first save leaves nothing");
    }

    [Test]
    public void TruncatedFileIsRejected()
    {
        Rejects(b => b[..^5], "running_mean", "out of range: the data section has");
        Rejects(b => b[..5], null, "fewer than the 8-byte header length");
        Rejects(b => b[..20], null, "larger than the");
    }

    [Test]
    public void HeaderLengthLargerThanTheFileIsRejected() =>
        Rejects(b => { BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)b.Length); return b; }, null, "header length");

    [Test]
    public void InvalidJsonIsRejected()
    {
        Rejects(b => { b[8] = (byte)'x'; return b; }, null, "not valid JSON");
        Rejects(b => Raw("[1, 2]", 0), null, "not an object");
        Rejects(b => Raw("{\"a\": {\"dtype\": \"F32\"}}", 0), "a", "needs a string \"dtype\"");
        Rejects(b => Raw("{\"a\": {\"dtype\": \"Q7\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "a", "unknown dtype");
        Rejects(b => Raw("{\"__metadata__\": {\"k\": 3}}", 0), null, "not a string");
    }

    [Test]
    public void OffsetsOutOfRangeOverlappingOrOfTheWrongSizeAreRejected()
    {
        Rejects(b => Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4), "a", "out of range");
        Rejects(b => Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", 8), "a", "begin <= end");
        Rejects(b => Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [-8, 0]}}", 8), "a", "non-negative");
        Rejects(b => Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8), "a", "needs 12");
        Rejects(
            b => Raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12),
            "b",
            "overlap those of 'a'");
    }

    [Test]
    public void WrongShapeIsRejectedWithBothShapes()
    {
        using var dir = new TempDirectory();
        Checkpoint.SaveModel(dir.File("wide.safetensors"), new TinyModel<T>(seed: 1, hidden: 5));
        var model = new TinyModel<T>(seed: 2);
        var ex = AssertUnchanged(model, () => Checkpoint.LoadModel(dir.File("wide.safetensors"), model));
        Assert.That(ex.Message, Does.Contain("wide.safetensors: shared.0.weight: shape [5, 3] in file, [4, 3] in model"));
        Assert.That(ex.TensorName, Is.EqualTo("shared.0.weight"));
    }

    [Test]
    public void WrongDtypeIsRejected()
    {
        using var dir = new TempDirectory();
        string dtype = typeof(T) == typeof(float) ? "F32" : "F64";
        string other = typeof(T) == typeof(float) ? "F64" : "F32";
        if (typeof(T) == typeof(float))
        {
            Checkpoint.SaveModel(dir.File("m.safetensors"), new TinyModel<double>(seed: 1));
        }
        else
        {
            Checkpoint.SaveModel(dir.File("m.safetensors"), new TinyModel<float>(seed: 1));
        }

        var model = new TinyModel<T>(seed: 2);
        var ex = AssertUnchanged(model, () => Checkpoint.LoadModel(dir.File("m.safetensors"), model));
        Assert.That(ex.Message, Does.Contain($"shared.0.weight: dtype {other} in file, {dtype} in model"));
    }

    [Test]
    public void MissingAndUnexpectedNamesAreRejected()
    {
        using var dir = new TempDirectory();
        Checkpoint.SaveModel(dir.File("plain.safetensors"), new TinyModel<T>(seed: 1));
        Checkpoint.SaveModel(dir.File("head.safetensors"), new TinyModel<T>(seed: 1, head: true));

        var withHead = new TinyModel<T>(seed: 2, head: true);
        var ex = AssertUnchanged(withHead, () => Checkpoint.LoadModel(dir.File("plain.safetensors"), withHead));
        Assert.That(ex.Message, Does.Contain("head.weight: missing from the file"));

        var plain = new TinyModel<T>(seed: 2);
        ex = AssertUnchanged(plain, () => Checkpoint.LoadModel(dir.File("head.safetensors"), plain));
        Assert.That(ex.Message, Does.Contain("head.weight: in the file but not in the model"));

        Checkpoint.LoadModel(dir.File("head.safetensors"), plain, allowUnexpected: true);
        var reference = new TinyModel<T>(seed: 1, head: true);
        Assert.That(plain.Shared.Parameters().Zip(reference.Shared.Parameters()).All(p => p.First.Data.ContentEquals(p.Second.Data)));
    }

    private static CheckpointException AssertUnchanged(TinyModel<T> model, Action load)
    {
        var snapshot = model.Snapshot();
        var ex = Assert.Throws<CheckpointException>(() => load())!;
        Assert.That(model.Matches(snapshot), "a failed load must not change the model");
        return ex;
    }

    /// <summary>Saves a model, damages the file with <paramref name="damage"/>, and checks the load fails
    /// with <paramref name="message"/> and leaves the model as it was.</summary>
    private static void Rejects(Func<byte[], byte[]> damage, string? tensor, string message)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        Checkpoint.SaveModel(path, new TinyModel<T>(seed: 1));
        File.WriteAllBytes(path, damage(File.ReadAllBytes(path)));
        var model = new TinyModel<T>(seed: 2);
        var ex = AssertUnchanged(model, () => Checkpoint.LoadModel(path, model));
        Assert.That(ex.Message, Does.Contain(message).And.StartWith(path));
        Assert.That(ex.TensorName, Is.EqualTo(tensor));
        Assert.That(ex.FilePath, Is.EqualTo(path));
    }

    /// <summary>A file with the given header and <paramref name="dataBytes"/> zero bytes of data.</summary>
    private static byte[] Raw(string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }
}
