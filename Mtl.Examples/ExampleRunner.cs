using System.Diagnostics;
using System.Text;
using Mtl.Tensors;
using Mtl.Training.Data;

namespace Mtl.Examples;

/// <summary>
/// Parses the command line, runs one example and maps a user's mistake to exit code 2 with a
/// one-paragraph message: an unknown example or option (with the usage), a missing or malformed data
/// file (naming the file). Anything else is a bug and propagates with its stack trace.
/// </summary>
public static class ExampleRunner
{
    /// <summary>Exit code for bad input: an unknown example or option, or a data file that cannot be used.</summary>
    public const int BadInput = 2;

    /// <summary>The examples, in the order they are listed.</summary>
    public static IReadOnlyList<IExample> Examples { get; } =
        [new EnergyExample(), new PenguinsExample(), new FashionExample(), new AttributesExample(), new SharingExample(), new CompareExample(), new InputsExample(), new TransferExample(), new InspectExample()];

    /// <summary>Runs the command line <paramref name="args"/>; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ExampleOptions options;
        IExample example;
        try
        {
            options = ExampleOptions.Parse(args);
            if (options.Help)
            {
                output.Write(Usage());
                return 0;
            }

            example = Examples.FirstOrDefault(e => e.Name == options.Example)
                ?? throw new UsageException($"there is no example '{options.Example}'.");
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine();
            error.Write(Usage());
            return BadInput;
        }

        // The examples are sized for two cores; more would only contend with whatever else runs.
        int savedThreads = MtlThreads.Count;
        MtlThreads.Count = Math.Min(2, Environment.ProcessorCount);
        var context = new ExampleContext(options, output);
        var clock = Stopwatch.StartNew();
        try
        {
            output.WriteLine($"== {example.Name}: {example.Summary}");
            example.Run(context);
            output.WriteLine($"== {example.Name} done in {ConsoleTable.Seconds(clock.Elapsed)} (seed {options.Seed}, {MtlThreads.Count} threads)");
            return 0;
        }
        catch (Exception e) when (e is DataFormatException or FileNotFoundException or DirectoryNotFoundException or ExampleInputException or UsageException)
        {
            error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        finally
        {
            MtlThreads.Count = savedThreads;
        }
    }

    /// <summary>The usage text with the list of examples.</summary>
    public static string Usage()
    {
        var sb = new StringBuilder();
        sb.Append("usage: dotnet run -c Release --project Mtl.Examples -- [example] [options]\n\n");
        sb.Append("examples (default: ").Append(ExampleOptions.DefaultExample).Append("):\n");
        foreach (var e in Examples)
        {
            sb.Append("  ").Append(e.Name.PadRight(10)).Append(e.Summary).Append('\n');
        }

        sb.Append("\noptions:\n");
        sb.Append("  --epochs N   training epochs (each example has its own default)\n");
        sb.Append("  --seed S     seed of the data split, initialisation and batch order (default 42)\n");
        sb.Append("  --out DIR    where plots and DOT files go (default out/<example>)\n");
        sb.Append("  --data DIR   folder with the data sets (default: the repository's data/, found upward)\n");
        sb.Append("  --rows N     use at most N training examples (quick runs)\n");
        sb.Append("  --help       this text\n");
        return sb.ToString();
    }
}
