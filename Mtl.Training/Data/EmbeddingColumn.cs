namespace Mtl.Training.Data;

/// <summary>A categorical input kept as integer indices (for an embedding table) rather than one-hot features.</summary>
public sealed class EmbeddingColumn
{
    /// <summary>Creates the column; <paramref name="indices"/> is used, not copied.</summary>
    /// <exception cref="ArgumentException">An index is outside the categories.</exception>
    public EmbeddingColumn(string name, IReadOnlyList<string> categories, int[] indices)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(indices);
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)categories.Count)
            {
                throw new ArgumentException($"Embedding column '{name}': row {i} has index {indices[i]}, outside [0, {categories.Count}).", nameof(indices));
            }
        }

        Name = name;
        Categories = categories;
        Indices = indices;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>Category names in index order (the embedding table needs this many rows).</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>The category index of each row.</summary>
    public int[] Indices { get; }

    /// <summary>Rows <paramref name="rows"/>, in that order, as a new column.</summary>
    public EmbeddingColumn Gather(ReadOnlySpan<int> rows)
    {
        var result = new EmbeddingColumn(Name, Categories, new int[rows.Length]);
        GatherInto(rows, result.Indices);
        return result;
    }

    /// <summary>destination[i] = Indices[rows[i]].</summary>
    public void GatherInto(ReadOnlySpan<int> rows, Span<int> destination)
    {
        for (int i = 0; i < rows.Length; i++)
        {
            destination[i] = Indices[rows[i]];
        }
    }
}
