using System.Text;
using Mtl.Training.Checkpoints;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>Saving around failures: temporary files of killed saves, saves still in progress, error
/// messages, and file names at the file system's 255-byte limit.</summary>
public class AtomicSaveTests
{
    [Test]
    public void TheNextSaveRemovesTheTemporaryFilesOfKilledSavesToThatPathOnly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        string other = dir.File("other.safetensors");
        var model = new TinyModel<float>(seed: 1);
        Checkpoint.SaveModel(path, model);
        string[] killed = KilledSaves(path, model, 3);
        string otherKilled = KilledSaves(other, model, 1)[0];
        File.WriteAllText(dir.File("notes.tmp"), "the user's");
        File.WriteAllText(dir.File(".m.safetensors.tmp"), "the user's too");
        Assert.That(killed.Concat([otherKilled]).All(File.Exists));

        var saved = new TinyModel<float>(seed: 9);
        Checkpoint.SaveModel(path, saved);

        Assert.That(dir.Entries(), Is.EquivalentTo(new[] { "m.safetensors", Path.GetFileName(otherKilled), "notes.tmp", ".m.safetensors.tmp" }));
        var loaded = new TinyModel<float>(seed: 2);
        Checkpoint.LoadModel(path, loaded);
        Assert.That(loaded.Matches(saved.Snapshot()));

        Checkpoint.SaveModel(other, model);
        Assert.That(File.Exists(otherKilled), Is.False, "the other path's save removes its own");
    }

    [Test]
    public void TheTemporaryFileOfASaveStillInProgressIsKept()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var slow = new TinyModel<float>(seed: 3);
        using var writing = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        string? slowTemp = null;
        var slowSave = Task.Run(() => Checkpoint.SaveModel(path, slow, null, s =>
        {
            slowTemp = ((FileStream)s).Name;
            return new GatedStream(s, writing, release);
        }));
        Assert.That(writing.Wait(TimeSpan.FromSeconds(30)), "the slow save started writing");

        Checkpoint.SaveModel(path, new TinyModel<float>(seed: 4));
        Assert.That(File.Exists(slowTemp), "the second save left the first one's temporary file alone");
        release.Set();
        slowSave.Wait();

        var loaded = new TinyModel<float>(seed: 2);
        Checkpoint.LoadModel(path, loaded);
        Assert.That(loaded.Matches(slow.Snapshot()), "the slow save finished last and whole");
        Assert.That(dir.Entries(), Is.EqualTo(new[] { "m.safetensors" }));
    }

    [Test]
    public void ATemporaryFileHeldOpenByAnotherWriterIsKept()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var model = new TinyModel<float>(seed: 1);
        string temp = KilledSaves(path, model, 1)[0];

        // Another process writing to it holds it open exclusively, as a save does.
        using (var held = new FileStream(temp, FileMode.Open, FileAccess.Write, FileShare.None))
        {
            Checkpoint.SaveModel(path, model);
            Assert.That(File.Exists(temp), "a temporary file in use is not stale");
        }

        Checkpoint.SaveModel(path, model);
        Assert.That(dir.Entries(), Is.EqualTo(new[] { "m.safetensors" }), "once released, it is");
    }

    [Test]
    public void ATemporaryFileWrittenJustNowIsKeptEvenIfNotLocked()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var model = new TinyModel<float>(seed: 1);
        string temp = KilledSaves(path, model, 1)[0];

        // Another process's save between creating its file and locking it: no lock yet, written just now.
        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow);
        Checkpoint.SaveModel(path, model);
        Assert.That(File.Exists(temp), "a file this fresh may belong to a save that is starting");

        File.SetLastWriteTimeUtc(temp, DateTime.UtcNow - TempFiles.StaleAfter - TimeSpan.FromSeconds(1));
        Checkpoint.SaveModel(path, model);
        Assert.That(File.Exists(temp), Is.False, "unwritten for longer than that and unlocked, it is stale");
    }

    [Test]
    public void ErrorsNameTheUsersPathNotTheTemporaryFile()
    {
        using var dir = new TempDirectory();
        var model = new TinyModel<float>(seed: 1);

        string missing = dir.File(Path.Combine("no-such-directory", "m.safetensors"));
        var ex = Assert.Catch<IOException>(() => Checkpoint.SaveModel(missing, model))!;
        Assert.That(ex, Is.TypeOf<DirectoryNotFoundException>());
        Assert.That(ex.Message, Does.Contain(missing).And.Not.Contain(".tmp"));

        string isDirectory = dir.File("d.safetensors");
        Directory.CreateDirectory(isDirectory);
        ex = Assert.Catch<IOException>(() => Checkpoint.SaveModel(isDirectory, model))!;
        Assert.That(ex.Message, Does.Contain(isDirectory).And.Not.Contain(".tmp"));

        string path = dir.File("m.safetensors");
        ex = Assert.Throws<IOException>(() => Checkpoint.SaveModel(path, model, null, s => new FailingStream(s, 10)))!;
        Assert.That(ex.Message, Does.Contain(path).And.Contain("simulated failure").And.Not.Contain(".tmp"));
        Assert.That(ex.InnerException?.Message, Does.Contain("simulated failure"));
        Assert.That(dir.Entries(), Is.EqualTo(new[] { "d.safetensors" }), "no temporary file and no partial file is left");
    }

    [Test]
    public void NamesAtTheFileSystemLimitSave([Values("m", "ü")] string letter)
    {
        using var dir = new TempDirectory();
        const string Extension = ".safetensors";
        int bytesPerLetter = Encoding.UTF8.GetByteCount(letter);
        string name = string.Concat(Enumerable.Repeat(letter, (255 - Extension.Length) / bytesPerLetter)) + Extension;
        Assert.That(Encoding.UTF8.GetByteCount(name), Is.InRange(254, 255));
        string path = dir.File(name);

        var saved = new TinyModel<float>(seed: 5);
        Checkpoint.SaveModel(path, saved);
        Checkpoint.SaveModel(path, saved);
        var loaded = new TinyModel<float>(seed: 6);
        Checkpoint.LoadModel(path, loaded);
        Assert.That(loaded.Matches(saved.Snapshot()));
        Assert.That(dir.Entries(), Is.EqualTo(new[] { name }));

        // A killed save of a long name is cleaned up like any other.
        string temp = KilledSaves(path, saved, 1)[0];
        Checkpoint.SaveModel(path, saved);
        Assert.That(File.Exists(temp), Is.False);
    }

    /// <summary>What <paramref name="count"/> saves killed part-way a minute ago leave: their temporary files,
    /// partly written. Each save fails after 100 bytes (and, being a save, removes the stale files before it);
    /// the files they wrote to are then put back as the kills would have left them.</summary>
    private static string[] KilledSaves(string path, TinyModel<float> model, int count)
    {
        var temps = new string[count];
        for (int i = 0; i < count; i++)
        {
            string? temp = null;
            Assert.Catch<IOException>(() => Checkpoint.SaveModel(path, model, null, s =>
            {
                temp = ((FileStream)s).Name;
                return new FailingStream(s, 100);
            }));
            Assert.That(temp, Is.Not.Null.And.Not.EqualTo(Path.GetFullPath(path)));
            temps[i] = temp!;
        }

        foreach (string temp in temps)
        {
            File.WriteAllBytes(temp, new byte[100]);
            File.SetLastWriteTimeUtc(temp, DateTime.UtcNow.AddMinutes(-1));
        }

        return temps;
    }

    /// <summary>Signals <paramref name="writing"/> on the first write, then waits for <paramref name="release"/>.</summary>
    private sealed class GatedStream(Stream inner, ManualResetEventSlim writing, ManualResetEventSlim release) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            writing.Set();
            if (!release.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the test never released the save");
            }

            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
