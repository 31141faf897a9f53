namespace Mtl.Examples;

/// <summary>What an example runs with: the options, where it prints, where its files go and where its data is.</summary>
public sealed class ExampleContext
{
    private readonly List<string> _written = [];

    /// <summary>Creates the context of one run.</summary>
    public ExampleContext(ExampleOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        Options = options;
        Out = output;
        OutputDirectory = Path.GetFullPath(options.OutDirectory ?? Path.Combine("out", options.Example));
    }

    /// <summary>The command-line options.</summary>
    public ExampleOptions Options { get; }

    /// <summary>Where results and progress are printed.</summary>
    public TextWriter Out { get; }

    /// <summary>The folder plots and other files are written to (created on first use).</summary>
    public string OutputDirectory { get; }

    /// <summary>The files written so far, full paths, in order.</summary>
    public IReadOnlyList<string> WrittenFiles => _written;

    /// <summary>The epochs to train: <c>--epochs</c>, or the example's default.</summary>
    public int Epochs(int defaultEpochs) => Options.Epochs ?? defaultEpochs;

    /// <summary>The number of training rows to use out of <paramref name="available"/> (<c>--rows</c> caps it).</summary>
    public int Rows(int available) => Math.Min(available, Options.Rows ?? int.MaxValue);

    /// <summary>The full path of a bundled data file (see <see cref="DataLocator"/>).</summary>
    /// <exception cref="FileNotFoundException">The file cannot be found.</exception>
    public string DataFile(string relativePath) => DataLocator.Find(relativePath, Options.DataDirectory);

    /// <summary>The full path for an output file named <paramref name="fileName"/>; creates the output folder.</summary>
    public string OutputPath(string fileName)
    {
        Directory.CreateDirectory(OutputDirectory);
        return Path.Combine(OutputDirectory, fileName);
    }

    /// <summary>Records and prints that <paramref name="path"/> was written.</summary>
    public void Wrote(string path, string what)
    {
        _written.Add(path);
        Out.WriteLine($"wrote {what}: {path}");
    }

    /// <summary>
    /// Runs <paramref name="load"/> on a user-supplied data file, turning an <see cref="ArgumentException"/>
    /// raised by what the file contains (no rows left after the split, a constant target...) into an
    /// <see cref="ExampleInputException"/> that names the file. Format errors already name it and pass through.
    /// </summary>
    public static TData Load<TData>(string path, Func<TData> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        try
        {
            return load();
        }
        catch (ArgumentException e)
        {
            // The parameter name ArgumentException appends means nothing to someone fixing a data file.
            string reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            throw new ExampleInputException($"'{path}' cannot be used: {reason}", e);
        }
    }
}
