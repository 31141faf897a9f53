using System.Globalization;

namespace Mtl.Examples;

/// <summary>The command line of <c>dotnet run --project Mtl.Examples -- [example] [options]</c>.</summary>
public sealed record ExampleOptions
{
    /// <summary>The example run when none is named.</summary>
    public const string DefaultExample = "energy";

    /// <summary>The example to run.</summary>
    public string Example { get; init; } = DefaultExample;

    /// <summary>Training epochs; null: the example's default.</summary>
    public int? Epochs { get; init; }

    /// <summary>Seed of the data split, the initialisation and the batch order.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Where plots and other files go; null: <c>out/&lt;example&gt;</c> under the current directory.</summary>
    public string? OutDirectory { get; init; }

    /// <summary>The folder holding the data sets; null: the repository's <c>data/</c>, found by searching upward.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>At most this many training examples (for quick runs); null: all of them.</summary>
    public int? Rows { get; init; }

    /// <summary>The comparison harness's data set (<c>--dataset</c>); null: its default.</summary>
    public string? Dataset { get; init; }

    /// <summary>The comparison harness's architectures, comma-separated (<c>--archs</c>); null: its default.</summary>
    public string? Architectures { get; init; }

    /// <summary>The comparison harness's methods, comma-separated (<c>--methods</c>); null: its default.</summary>
    public string? Methods { get; init; }

    /// <summary>The number of seeds the comparison harness repeats each run with (<c>--seeds</c>); null: its default.</summary>
    public int? Seeds { get; init; }

    /// <summary>Print the usage and the list of examples.</summary>
    public bool Help { get; init; }

    /// <summary>Reads the command line.</summary>
    /// <exception cref="UsageException">An option is unknown, lacks its value, or the value is out of range.</exception>
    public static ExampleOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ExampleOptions();
        bool named = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"option {arg} needs a value."));
            switch (arg)
            {
                case "-h" or "--help" or "help":
                    options = options with { Help = true };
                    break;
                case "--epochs":
                    options = options with { Epochs = PositiveInt(arg, Value()) };
                    break;
                case "--rows":
                    options = options with { Rows = PositiveInt(arg, Value()) };
                    break;
                case "--seed":
                    string seed = Value();
                    options = ulong.TryParse(seed, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s)
                        ? options with { Seed = s }
                        : throw new UsageException($"--seed needs a non-negative integer, got '{seed}'.");
                    break;
                case "--out":
                    options = options with { OutDirectory = NonEmpty(arg, Value()) };
                    break;
                case "--data":
                    options = options with { DataDirectory = NonEmpty(arg, Value()) };
                    break;
                case "--dataset":
                    options = options with { Dataset = NonEmpty(arg, Value()) };
                    break;
                case "--archs":
                    options = options with { Architectures = NonEmpty(arg, Value()) };
                    break;
                case "--methods":
                    options = options with { Methods = NonEmpty(arg, Value()) };
                    break;
                case "--seeds":
                    options = options with { Seeds = PositiveInt(arg, Value()) };
                    break;
                default:
                    if (arg.StartsWith('-'))
                    {
                        throw new UsageException($"unknown option '{args[i]}'.");
                    }

                    if (named)
                    {
                        throw new UsageException($"one example at a time: '{options.Example}' and '{arg}' were both named.");
                    }

                    options = options with { Example = arg };
                    named = true;
                    break;
            }
        }

        return options;
    }

    private static int PositiveInt(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new UsageException($"{option} needs a positive integer, got '{value}'.");

    private static string NonEmpty(string option, string value) =>
        value.Length > 0 ? value : throw new UsageException($"{option} needs a value, got an empty one.");
}
