namespace Mtl.Training.Data;

// Column blocks: inputs declared by a range of the header or as "every other column", known only once the
// header is read. They are kept apart from the named columns and resolved into a plain schema per file.
public sealed partial class TabularSchema
{
    private readonly List<ColumnBlock> _blocks = [];

    /// <summary>True when some inputs are declared by <see cref="NumericRange"/> or <see cref="NumericRest"/> and
    /// are known only after <see cref="ResolveFor"/>.</summary>
    public bool HasColumnBlocks => _blocks.Count > 0;

    /// <summary>Declares the numeric input columns from <paramref name="first"/> to <paramref name="last"/>
    /// (inclusive, in header order), at this place among the inputs.</summary>
    /// <exception cref="ArgumentException">A name is empty.</exception>
    public TabularSchema NumericRange(string first, string last)
    {
        ArgumentException.ThrowIfNullOrEmpty(first);
        ArgumentException.ThrowIfNullOrEmpty(last);
        _blocks.Add(new ColumnBlock(_inputs.Count, first, last, []));
        return this;
    }

    /// <summary>Declares every column that is not declared otherwise (and not in <paramref name="except"/>)
    /// as a numeric input, in header order, at this place among the inputs.</summary>
    /// <exception cref="InvalidOperationException">Already declared once.</exception>
    public TabularSchema NumericRest(params string[] except)
    {
        ArgumentNullException.ThrowIfNull(except);
        if (_blocks.Any(b => b.First is null))
        {
            throw new InvalidOperationException("TabularSchema: NumericRest is declared twice.");
        }

        _blocks.Add(new ColumnBlock(_inputs.Count, null, null, except));
        return this;
    }

    /// <summary>This schema with its column blocks replaced by the columns of <paramref name="header"/> they name
    /// (this schema itself when it has none).</summary>
    /// <param name="header">The file's column names.</param>
    /// <param name="file">The file, for error messages.</param>
    /// <exception cref="DataFormatException">A range's end is not in the header, comes before its start, or
    /// takes in a column that is declared otherwise.</exception>
    public TabularSchema ResolveFor(IReadOnlyList<string> header, string file)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (_blocks.Count == 0)
        {
            return this;
        }

        var named = new HashSet<string>(_inputs.Select(c => c.Name).Concat(_targets.Select(c => c.Name)), StringComparer.Ordinal);
        var blockColumns = new List<string>[_blocks.Count];
        for (int b = 0; b < _blocks.Count; b++)
        {
            var block = _blocks[b];
            if (block.First is null)
            {
                continue;
            }

            int from = IndexIn(header, block.First, file), to = IndexIn(header, block.Last!, file);
            if (to < from)
            {
                throw new DataFormatException(file, 0, block.Last, $"NumericRange(\"{block.First}\", \"{block.Last}\"): the last column comes before the first in the header.");
            }

            blockColumns[b] = [.. header.Skip(from).Take(to - from + 1)];
            foreach (string c in blockColumns[b])
            {
                if (!named.Add(c))
                {
                    throw new DataFormatException(file, 0, c, $"NumericRange(\"{block.First}\", \"{block.Last}\") takes in a column that is declared otherwise.");
                }
            }
        }

        for (int b = 0; b < _blocks.Count; b++)
        {
            if (_blocks[b].First is null)
            {
                var except = new HashSet<string>(_blocks[b].Except, StringComparer.Ordinal);
                blockColumns[b] = [.. header.Where(c => !named.Contains(c) && !except.Contains(c))];
            }
        }

        var resolved = new TabularSchema
        {
            MissingMarkers = MissingMarkers,
            MissingFeatures = MissingFeatures,
            CategoryOrder = CategoryOrder,
            Delimiter = Delimiter,
            TrimFields = TrimFields,
            UnseenCategories = UnseenCategories,
        };
        for (int i = 0; i <= _inputs.Count; i++)
        {
            for (int b = 0; b < _blocks.Count; b++)
            {
                if (_blocks[b].InsertAt == i)
                {
                    resolved.Numeric([.. blockColumns[b]]);
                }
            }

            if (i < _inputs.Count)
            {
                resolved.AddInput(_inputs[i]);
            }
        }

        foreach (var t in _targets)
        {
            resolved.AddTarget(t);
        }

        return resolved;
    }

    private static int IndexIn(IReadOnlyList<string> header, string name, string file)
    {
        for (int i = 0; i < header.Count; i++)
        {
            if (header[i] == name)
            {
                return i;
            }
        }

        throw new DataFormatException(file, 0, name, $"no such column for NumericRange; the header has: {string.Join(", ", header)}.");
    }
}

/// <summary>A block of numeric inputs known only from the header: a range (First..Last) or the rest (First null).</summary>
internal sealed record ColumnBlock(int InsertAt, string? First, string? Last, string[] Except);
