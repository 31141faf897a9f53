namespace Mtl.Examples;

/// <summary>
/// Finds the bundled data sets: in the folder given by <c>--data</c>, or else in the first <c>data/</c>
/// folder holding the file, searching upward from the executable and then from the current directory
/// (so <c>dotnet run</c> from anywhere in a clone, and a copied build output, both find the repository's data).
/// </summary>
public static class DataLocator
{
    /// <summary>The full path of <paramref name="relativePath"/> inside the data folder.</summary>
    /// <exception cref="FileNotFoundException">The file is not in the given folder, or no data folder above
    /// the executable or the current directory has it.</exception>
    public static string Find(string relativePath, string? dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        if (dataDirectory is not null)
        {
            string path = Path.GetFullPath(Path.Combine(dataDirectory, relativePath));
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"'{path}' does not exist: the data folder given with --data ('{dataDirectory}') has no {relativePath}.", path);
        }

        string[] starts = [AppContext.BaseDirectory, Directory.GetCurrentDirectory()];
        foreach (string start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "data", relativePath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(
            $"data/{relativePath} was not found in any folder above '{starts[0]}' or '{starts[1]}'; run from inside a clone of the repository, or pass --data DIR with the folder that holds {relativePath}.",
            relativePath);
    }

    /// <summary>The first existing file among <paramref name="candidates"/>, or null.</summary>
    public static string? FirstExisting(params IEnumerable<string> candidates) => candidates.FirstOrDefault(File.Exists);
}
