using System.Globalization;
using System.Text;

namespace Mtl.Examples;

/// <summary>A results table printed as a padded Markdown table, readable in a terminal and pasteable into docs.</summary>
public sealed class ConsoleTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Headers { get; } = headers;

    /// <summary>The rows added so far.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    /// <summary>Adds a row; cells beyond the headers are an error, missing cells are blank.</summary>
    public ConsoleTable Add(params string[] cells)
    {
        if (cells.Length > Headers.Count)
        {
            throw new ArgumentException($"ConsoleTable: {cells.Length} cells for {Headers.Count} columns.", nameof(cells));
        }

        _rows.Add([.. cells, .. Enumerable.Repeat(string.Empty, Headers.Count - cells.Length)]);
        return this;
    }

    /// <summary>A number with <paramref name="decimals"/> decimals in the invariant culture; "–" for null.</summary>
    public static string Number(double? value, int decimals) =>
        value is { } v ? v.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "–";

    /// <summary>Mean ± sample standard deviation (n − 1) of a cell's runs, with <paramref name="decimals"/> decimals.</summary>
    public static string MeanSd(IReadOnlyList<double> values, int decimals)
    {
        double mean = values.Average();
        double sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        string f = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        return $"{mean.ToString(f, CultureInfo.InvariantCulture)} ± {sd.ToString(f, CultureInfo.InvariantCulture)}";
    }

    /// <summary>A duration in seconds with one decimal.</summary>
    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s";

    /// <summary>The table; the first column is left-aligned, the others right-aligned.</summary>
    public override string ToString()
    {
        var widths = Headers.Select((h, c) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[c].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            sb.Append('|');
            for (int c = 0; c < cells.Count; c++)
            {
                sb.Append(' ').Append(c == 0 ? cells[c].PadRight(widths[c]) : cells[c].PadLeft(widths[c])).Append(" |");
            }

            sb.Append('\n');
        }

        Line(Headers);
        Line([.. widths.Select((w, c) => c == 0 ? new string('-', w) : new string('-', w - 1) + ":")]);
        foreach (var row in _rows)
        {
            Line(row);
        }

        return sb.ToString();
    }
}
