using System.Buffers;
using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;

namespace Mtl.Training.Checkpoints;

/// <summary>
/// Names, registers and cleans up the temporary files of <see cref="AtomicFile"/>.
/// <para>
/// Name: <c>.{stem}.{key}.{unique}.tmp</c> in the target's directory, where stem is the target's name cut
/// to 24 characters (for people), key is 16 hex digits of SHA-256 of the whole name (which target it is
/// for) and unique is 16 random hex digits (which save). At most 111 bytes of UTF-8, so a target whose
/// name is at the file system's 255-byte limit still gets one.
/// </para>
/// <para>
/// Stale: a file of the target's own pattern that no save is writing, told by two signs. (1) A save holds
/// its temporary file open from creation until after the rename that gives it the target's name (a shared
/// flock on Unix, the sharing mode on Windows; both end when the process dies), so a file in use cannot
/// be opened with <see cref="FileShare.None"/>. (2) On Unix the lock is taken just after the file is
/// created, not atomically with it; a file written less than <see cref="StaleAfter"/> ago may be in that
/// instant (a second process cleaning up in a loop caught a save there in testing), so it is left for a
/// later save. Saves of this process are also registered from before their file exists until after
/// it is renamed or deleted, which needs neither sign. Without file locks (some network file systems, or
/// DOTNET_SYSTEM_IO_DISABLEFILELOCKING set) sign 1 is missing: a save in another process that writes
/// nothing for <see cref="StaleAfter"/> could lose its file, and would then fail loudly at its rename;
/// no partial target can result either way.
/// </para>
/// </summary>
internal static class TempFiles
{
    private const int StemChars = 24;
    private const int KeyHex = 16;
    private const int UniqueHex = 16;
    private const string Extension = ".tmp";

    /// <summary>How long a temporary file must have gone unwritten before it can be stale.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private static readonly SearchValues<char> _hexDigits = SearchValues.Create("0123456789abcdef");

    /// <summary>A fresh temporary path for a save to <paramref name="name"/> in <paramref name="directory"/>,
    /// registered as in flight until <see cref="End"/>.</summary>
    public static string Begin(string directory, string name)
    {
        string temp = Path.Combine(directory, Prefix(name) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(UniqueHex / 2)) + Extension);
        lock (_inFlight)
        {
            _inFlight.Add(temp);
        }

        return temp;
    }

    /// <summary>Marks the save to <paramref name="temp"/> as finished (its file is renamed or deleted).</summary>
    public static void End(string temp)
    {
        lock (_inFlight)
        {
            _inFlight.Remove(temp);
        }
    }

    /// <summary>Deletes the stale temporary files of saves to <paramref name="name"/> in <paramref name="directory"/>.
    /// Best effort: a file that cannot be inspected or deleted is left alone.</summary>
    public static void RemoveStale(string directory, string name)
    {
        string prefix = Prefix(name);
        List<string> candidates;
        try
        {
            // The names start with '.', which Unix enumeration counts as hidden and skips by default.
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true };
            candidates = [.. new FileSystemEnumerable<string>(directory, (ref FileSystemEntry e) => e.ToFullPath(), options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry e) =>
                    !e.IsDirectory && IsTempName(e.FileName, prefix) && DateTimeOffset.UtcNow - e.LastWriteTimeUtc >= StaleAfter,
            }];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string candidate in candidates)
        {
            lock (_inFlight)
            {
                if (_inFlight.Contains(candidate))
                {
                    continue;
                }
            }

            try
            {
                // Opens only if no save holds it; deleted when closed.
                using var stale = new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // In use by a live save, already gone, or not ours to delete.
            }
        }
    }

    /// <summary><c>.{stem}.{key}.</c> for a target named <paramref name="name"/>.</summary>
    private static string Prefix(string name)
    {
        int cut = Math.Min(name.Length, StemChars);
        if (cut < name.Length && char.IsHighSurrogate(name[cut - 1]))
        {
            cut--;
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        return $".{name[..cut]}.{Convert.ToHexStringLower(hash, 0, KeyHex / 2)}.";
    }

    private static bool IsTempName(ReadOnlySpan<char> file, string prefix) =>
        file.Length == prefix.Length + UniqueHex + Extension.Length
        && file.StartsWith(prefix, StringComparison.Ordinal)
        && file.EndsWith(Extension, StringComparison.Ordinal)
        && !file.Slice(prefix.Length, UniqueHex).ContainsAnyExcept(_hexDigits);
}
