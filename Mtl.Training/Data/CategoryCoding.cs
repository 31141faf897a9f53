namespace Mtl.Training.Data;

/// <summary>Numbers the categories of one CSV column: learned from the data or fixed by the schema.</summary>
internal sealed class CategoryCoding
{
    private readonly Dictionary<string, int> _index;

    private CategoryCoding(IReadOnlyList<string> names)
    {
        Names = names;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            if (!_index.TryAdd(names[i], i))
            {
                throw new ArgumentException($"Category '{names[i]}' is listed twice.");
            }
        }
    }

    /// <summary>Category names in index order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The categories of column <paramref name="column"/> over <paramref name="rows"/>, skipping missing values.</summary>
    public static CategoryCoding Learn(CsvTable table, int column, IReadOnlyList<int> rows, TabularSchema schema, IReadOnlyList<string>? fixedNames)
    {
        if (fixedNames is not null)
        {
            return new CategoryCoding([.. fixedNames]);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach (int r in rows)
        {
            string v = table.Rows[r][column];
            if (!schema.IsMissing(v) && seen.Add(v))
            {
                names.Add(v);
            }
        }

        if (schema.CategoryOrder == CategoryOrder.Sorted)
        {
            names.Sort(StringComparer.Ordinal);
        }

        return new CategoryCoding(names);
    }

    /// <summary>The index of <paramref name="value"/>.</summary>
    /// <exception cref="DataFormatException">The value is not one of the (fixed) categories.</exception>
    public int IndexOf(string value, CsvTable table, int row, int column)
    {
        if (_index.TryGetValue(value, out int i))
        {
            return i;
        }

        throw new DataFormatException(table.File, row + 1, table.Header[column], $"(line {table.Lines[row]}) '{value}' is not one of the declared categories: {string.Join(", ", Names)}.");
    }
}
