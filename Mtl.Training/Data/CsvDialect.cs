namespace Mtl.Training.Data;

/// <summary>
/// How a delimited text file is split into fields: the delimiter (or auto-detection) and whether
/// unquoted whitespace around fields is removed. <see cref="Rfc4180"/> is the strict comma dialect that
/// <see cref="CsvReader.Read(string)"/> has always used.
/// </summary>
public sealed record CsvDialect
{
    /// <summary>The delimiters auto-detection chooses among, in order of preference on a tie.</summary>
    public static readonly IReadOnlyList<char> Candidates = [',', ';', '\t', '|'];

    /// <summary>Commas, fields verbatim: RFC 4180 as <see cref="CsvReader.Read(string)"/> reads it.</summary>
    public static CsvDialect Rfc4180 { get; } = new() { Delimiter = ',', TrimFields = false };

    /// <summary>The field delimiter; null detects it from the header line among <see cref="Candidates"/>
    /// (the one that occurs most often outside quotes; a comma when none occurs).</summary>
    public char? Delimiter { get; init; }

    /// <summary>When true, spaces and tabs around a field are removed (outside quotes only: a quoted
    /// <c>" S"</c> keeps its space), so <c>a, S</c> and <c>a,S</c> give the same value. Default: true.</summary>
    public bool TrimFields { get; init; } = true;

    /// <summary>The delimiter of <paramref name="text"/>: <see cref="Delimiter"/> when set, else detected from the first line.</summary>
    /// <exception cref="ArgumentException">The delimiter is a quote, a line break, or whitespace that trimming would remove.</exception>
    public char Resolve(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Delimiter is char d)
        {
            if (d is '"' or '\r' or '\n' || (TrimFields && d == ' '))
            {
                throw new ArgumentException($"CsvDialect: '{Printable(d)}' cannot be a delimiter{(d == ' ' ? " while TrimFields is on" : string.Empty)}.", nameof(text));
            }

            return d;
        }

        return Detect(text);
    }

    /// <summary>The candidate occurring most often outside quotes on the first non-empty line (a comma when none occurs).</summary>
    public static char Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new int[Candidates.Count];
        bool quoted = false;
        bool started = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '\r' or '\n')
            {
                if (!quoted && started)
                {
                    break;
                }

                continue;
            }

            started = true;
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted)
            {
                for (int k = 0; k < counts.Length; k++)
                {
                    counts[k] += c == Candidates[k] ? 1 : 0;
                }
            }
        }

        int best = 0;
        for (int k = 1; k < counts.Length; k++)
        {
            best = counts[k] > counts[best] ? k : best;
        }

        return Candidates[best];
    }

    /// <summary>A delimiter as it should appear in a message (tab spelled out).</summary>
    internal static string Printable(char delimiter) => delimiter switch
    {
        '\t' => "tab",
        ' ' => "space",
        _ => delimiter.ToString(),
    };
}
