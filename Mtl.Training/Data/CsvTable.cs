namespace Mtl.Training.Data;

/// <summary>
/// The text of a CSV (or ARFF) file, split into a header and records of fields, not yet interpreted.
/// Read with <see cref="CsvReader"/> or <see cref="ArffReader"/>; a <see cref="TabularSchema"/> gives the fields their meaning.
/// </summary>
public sealed class CsvTable
{
    internal CsvTable(
        string file,
        string[] header,
        List<string[]> rows,
        List<int> lines,
        IReadOnlyList<string>? formatMissingMarkers = null,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? declaredCategories = null)
    {
        File = file;
        Header = header;
        Rows = rows;
        Lines = lines;
        FormatMissingMarkers = formatMissingMarkers ?? [];
        DeclaredCategories = declaredCategories ?? new Dictionary<string, IReadOnlyList<string>>();
    }

    /// <summary>Values the file format itself defines as missing (ARFF's unquoted <c>?</c>), honoured in addition
    /// to <see cref="TabularSchema.MissingMarkers"/>; empty for CSV.</summary>
    public IReadOnlyList<string> FormatMissingMarkers { get; }

    /// <summary>Categories the file declares for its columns (ARFF nominal attributes), in declared order;
    /// empty for CSV. A schema that fixes no categories uses these instead of learning them.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> DeclaredCategories { get; }

    /// <summary>The path the table was read from (used in every error message).</summary>
    public string File { get; }

    /// <summary>Column names, in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data records; record i is data row i + 1 in error messages.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>The 1-based line on which each record starts (differs from row + 1 when a quoted field spans lines).</summary>
    public IReadOnlyList<int> Lines { get; }

    /// <summary>True when <paramref name="field"/> is missing by <paramref name="schema"/> or by the file format.</summary>
    public bool IsMissing(string field, TabularSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.IsMissing(field) || FormatMissingMarkers.Contains(field, StringComparer.Ordinal);
    }

    /// <summary>The position of column <paramref name="name"/> in the header.</summary>
    /// <exception cref="DataFormatException">There is no such column; the message lists the columns there are.</exception>
    public int ColumnIndex(string name)
    {
        for (int i = 0; i < Header.Count; i++)
        {
            if (Header[i] == name)
            {
                return i;
            }
        }

        throw new DataFormatException(File, 0, name, $"no such column; the header has: {string.Join(", ", Header)}.");
    }
}
