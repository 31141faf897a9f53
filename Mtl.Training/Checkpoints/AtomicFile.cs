namespace Mtl.Training.Checkpoints;

/// <summary>
/// Replaces a file all at once: the content goes to a temporary file in the same directory (so the
/// final rename stays on one file system), is flushed to disk, and is then moved over the target.
/// A failure at any point deletes the temporary file and leaves an existing target untouched; the
/// exception names the target, not the temporary file.
/// </summary>
/// <remarks>
/// A process killed mid-save cannot delete its temporary file, so each save first removes the stale
/// temporary files of earlier saves to the same target (see <see cref="TempFiles"/> for how a stale one
/// is told from one a live save is still writing).
/// </remarks>
internal static class AtomicFile
{
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <param name="wrap">Test hook: wraps the file stream (e.g. in one that fails part-way).</param>
    public static void Write(string path, Action<Stream> write, Func<Stream, Stream>? wrap = null)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"Checkpoint: '{path}' has no directory.", nameof(path));
        string temp = TempFiles.Begin(directory, Path.GetFileName(full));
        bool moved = false;
        try
        {
            TempFiles.RemoveStale(directory, Path.GetFileName(full));

            // The open handle is what marks the file as in use for other processes' cleanup (a shared flock on
            // Unix, the sharing mode on Windows), so it stays open until the file has its final name; FileShare.Delete
            // is what lets Windows rename a file that is open.
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Delete, bufferSize: 1 << 16))
            {
                var stream = wrap?.Invoke(file) ?? file;
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
                File.Move(temp, full, overwrite: true);
                moved = true;
            }
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not CheckpointException)
        {
            throw NamingTheTarget(e, path, temp);
        }
        finally
        {
            if (!moved)
            {
                TryDelete(temp);
            }

            TempFiles.End(temp);
        }
    }

    /// <summary>The same kind of exception, saying which save failed, with the temporary file's path in the
    /// system's message replaced by the target's (the original stays as the inner exception).</summary>
    private static Exception NamingTheTarget(Exception e, string path, string temp)
    {
        string message = $"Checkpoint: saving '{path}' failed: {e.Message.Replace(temp, path, StringComparison.Ordinal)}";
        return e switch
        {
            DirectoryNotFoundException => new DirectoryNotFoundException(message, e),
            PathTooLongException => new PathTooLongException(message, e),
            UnauthorizedAccessException => new UnauthorizedAccessException(message, e),
            _ => new IOException(message, e),
        };
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // The original failure is the one to report; the next save to this target removes the file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
