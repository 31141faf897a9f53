namespace Mtl.Training.Data;

/// <summary>Numbers the categories of one column: learned from the data, declared by the file (ARFF),
/// fixed by the schema, or fitted by a <see cref="TabularPipeline"/>.</summary>
internal sealed class CategoryCoding
{
    private readonly Dictionary<string, int> _index;
    private readonly int _unknown;
    private readonly string _source;

    private CategoryCoding(IReadOnlyList<string> names, string source, bool unknownBucket = false)
    {
        Names = names;
        _source = source;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            if (!_index.TryAdd(names[i], i))
            {
                throw new ArgumentException($"Category '{names[i]}' is listed twice.");
            }
        }

        _unknown = unknownBucket ? _index.GetValueOrDefault(TabularSchema.UnknownCategory, -1) : -1;
    }

    /// <summary>Category names in index order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Categories fitted by a pipeline; with <paramref name="unknownBucket"/>, a value not among them
    /// maps to <see cref="TabularSchema.UnknownCategory"/> (which must be one of the names).</summary>
    public static CategoryCoding Fitted(IReadOnlyList<string> names, bool unknownBucket) =>
        new([.. names], "categories the pipeline was fitted with", unknownBucket);

    /// <summary>The categories of column <paramref name="column"/> over <paramref name="rows"/>, skipping missing values.</summary>
    public static CategoryCoding Learn(CsvTable table, int column, IReadOnlyList<int> rows, TabularSchema schema, IReadOnlyList<string>? fixedNames)
    {
        if (fixedNames is not null)
        {
            return new CategoryCoding([.. fixedNames], "declared categories");
        }

        if (table.DeclaredCategories.TryGetValue(table.Header[column], out var declared))
        {
            return new CategoryCoding([.. declared], "categories the file declares");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (int r in rows)
        {
            string v = table.Rows[r][column];
            if (!table.IsMissing(v, schema) && seen.Add(v))
            {
                names.Add(v);
            }
        }

        if (schema.CategoryOrder == CategoryOrder.Sorted)
        {
            names.Sort(StringComparer.Ordinal);
        }

        return new CategoryCoding(names, "categories in the data");
    }

    /// <summary>The index of <paramref name="value"/>.</summary>
    /// <exception cref="DataFormatException">The value is not one of the (fixed) categories and there is no unknown bucket.</exception>
    public int IndexOf(string value, CsvTable table, int row, int column)
    {
        if (_index.TryGetValue(value, out int i))
        {
            return i;
        }

        if (_unknown >= 0)
        {
            return _unknown;
        }

        string hint = _source.StartsWith("categories the pipeline", StringComparison.Ordinal)
            ? " (for an input column, TabularSchema.UnseenCategories = UnseenCategoryPolicy.UnknownBucket maps unseen values to an extra category)"
            : string.Empty;
        throw new DataFormatException(table.File, row + 1, table.Header[column], $"(line {table.Lines[row]}) '{value}' is not one of the {_source}: {string.Join(", ", Names)}{hint}.");
    }
}
