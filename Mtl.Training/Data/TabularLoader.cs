using System.Globalization;
using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// Loads a CSV file into a <see cref="MultiTaskDataset{T}"/> by a <see cref="TabularSchema"/>.
/// Numbers are parsed in the invariant culture (a '.' decimal point, an optional exponent); a value that
/// is not a number, or is NaN or infinite, is an error naming the file, row, line and column, never a
/// zero. A missing target sets that task's mask to 0 for the row; a missing input follows
/// <see cref="TabularSchema.MissingFeatures"/>. Categories are learned from the rows that are kept.
/// </summary>
public static class TabularLoader
{
    /// <summary>Reads <paramref name="path"/> and encodes it by <paramref name="schema"/> (a <c>.arff</c> file with
    /// <see cref="ArffReader"/>, any other in the schema's <see cref="TabularSchema.Dialect"/>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A declared column is absent, a value is malformed or not finite,
    /// an input is missing under <see cref="MissingFeaturePolicy.Error"/>, or the file itself is malformed.</exception>
    public static MultiTaskDataset<T> Load<T>(string path, TabularSchema schema)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Encode<T>(Read(path, schema), schema);
    }

    /// <summary>Reads <paramref name="path"/> as text fields, without interpreting them: ARFF for a <c>.arff</c>
    /// file, otherwise CSV in <paramref name="schema"/>'s dialect (delimiter, trimming).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is malformed or not UTF-8.</exception>
    public static CsvTable Read(string path, TabularSchema schema)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(schema);
        return path.EndsWith(".arff", StringComparison.OrdinalIgnoreCase) ? ArffReader.Read(path) : CsvReader.Read(path, schema.Dialect);
    }

    /// <summary>Encodes an already-read table by <paramref name="schema"/>.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Load{T}"/>.</exception>
    public static MultiTaskDataset<T> Encode<T>(CsvTable table, TabularSchema schema)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        return Encode<T>(table, schema.ResolveFor(table.Header, table.File), rows: null, fitted: null);
    }

    /// <summary>Encodes rows <paramref name="rows"/> (0-based table rows; null for all) of <paramref name="table"/>
    /// by a resolved <paramref name="schema"/>, taking the categories of a column from <paramref name="fitted"/>
    /// when it holds that column, and learning them from the kept rows otherwise.</summary>
    internal static MultiTaskDataset<T> Encode<T>(CsvTable table, TabularSchema schema, IReadOnlyList<int>? rows, IReadOnlyDictionary<string, CategoryCoding>? fitted)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (schema.Inputs.Count == 0 && schema.Targets.Count == 0)
        {
            throw new ArgumentException("TabularLoader: the schema declares no columns.", nameof(schema));
        }

        int[] inputAt = [.. schema.Inputs.Select(c => table.ColumnIndex(c.Name))];
        int[] targetAt = [.. schema.Targets.Select(c => table.ColumnIndex(c.Name))];
        var (kept, dropped) = KeptRows(table, schema, inputAt, rows);

        var codings = new CategoryCoding?[inputAt.Length];
        var featureNames = new List<string>();
        var scalable = new List<int>();
        for (int k = 0; k < inputAt.Length; k++)
        {
            var column = schema.Inputs[k];
            if (column.Kind == InputKind.Numeric)
            {
                scalable.Add(featureNames.Count);
                featureNames.Add(column.Name);
                continue;
            }

            codings[k] = fitted is not null && fitted.TryGetValue(column.Name, out var given) ? given : CategoryCoding.Learn(table, inputAt[k], kept, schema, column.Categories);
            if (column.Kind == InputKind.OneHot)
            {
                featureNames.AddRange(codings[k]!.Names.Select(n => $"{column.Name}={n}"));
            }
        }

        int n = kept.Count, f = featureNames.Count;
        var features = new Tensor<T>(n, f);
        var x = features.Span;
        var embeddings = new List<EmbeddingColumn>();
        int offset = 0;
        for (int k = 0; k < inputAt.Length; k++)
        {
            var column = schema.Inputs[k];
            int c = inputAt[k];
            switch (column.Kind)
            {
                case InputKind.Numeric:
                    for (int i = 0; i < n; i++)
                    {
                        x[(i * f) + offset] = ParseNumber<T>(table, schema, kept[i], c);
                    }

                    offset++;
                    break;
                case InputKind.OneHot:
                    for (int i = 0; i < n; i++)
                    {
                        x[(i * f) + offset + codings[k]!.IndexOf(table.Rows[kept[i]][c], table, kept[i], c)] = T.One;
                    }

                    offset += codings[k]!.Names.Count;
                    break;
                default:
                    var indices = new int[n];
                    for (int i = 0; i < n; i++)
                    {
                        indices[i] = codings[k]!.IndexOf(table.Rows[kept[i]][c], table, kept[i], c);
                    }

                    embeddings.Add(new EmbeddingColumn(column.Name, codings[k]!.Names, indices));
                    break;
            }
        }

        var tasks = new TaskTarget<T>[targetAt.Length];
        for (int k = 0; k < tasks.Length; k++)
        {
            var coding = fitted is not null && fitted.TryGetValue(schema.Targets[k].Name, out var given) ? given : null;
            tasks[k] = schema.Targets[k].Kind == TaskKind.Regression
                ? RegressionTarget<T>(table, schema, schema.Targets[k], targetAt[k], kept)
                : ClassificationTarget<T>(table, schema, schema.Targets[k], targetAt[k], kept, coding);
        }

        return new MultiTaskDataset<T>(features, featureNames, scalable, embeddings, tasks, dropped);
    }

    /// <summary>Those of <paramref name="rows"/> (all when null) whose inputs are all present, and the 1-based rows
    /// dropped for a missing input.</summary>
    internal static (List<int> Kept, List<int> Dropped) KeptRows(CsvTable table, TabularSchema schema, int[] inputAt, IReadOnlyList<int>? rows = null)
    {
        int count = rows?.Count ?? table.Rows.Count;
        var kept = new List<int>(count);
        var dropped = new List<int>();
        for (int i = 0; i < count; i++)
        {
            int r = rows is null ? i : rows[i];
            if ((uint)r >= (uint)table.Rows.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"TabularLoader: row {r} is outside the {table.Rows.Count} rows of '{table.File}'.");
            }

            int missing = Array.FindIndex(inputAt, c => table.IsMissing(table.Rows[r][c], schema));
            if (missing < 0)
            {
                kept.Add(r);
            }
            else if (schema.MissingFeatures == MissingFeaturePolicy.DropRow)
            {
                dropped.Add(r + 1);
            }
            else
            {
                int c = inputAt[missing];
                throw new DataFormatException(table.File, r + 1, table.Header[c], $"(line {table.Lines[r]}) the input value is missing ('{table.Rows[r][c]}'); set MissingFeatures = MissingFeaturePolicy.DropRow to leave such rows out.");
            }
        }

        return (kept, dropped);
    }

    private static TaskTarget<T> RegressionTarget<T>(CsvTable table, TabularSchema schema, TargetColumn column, int c, List<int> kept)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = new Tensor<T>(kept.Count, 1);
        var mask = new Tensor<T>(kept.Count);
        for (int i = 0; i < kept.Count; i++)
        {
            if (!table.IsMissing(table.Rows[kept[i]][c], schema))
            {
                values[i] = ParseNumber<T>(table, schema, kept[i], c);
                mask[i] = T.One;
            }
        }

        return TaskTarget<T>.Regression(column.Name, values, mask);
    }

    private static TaskTarget<T> ClassificationTarget<T>(CsvTable table, TabularSchema schema, TargetColumn column, int c, List<int> kept, CategoryCoding? fitted)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var coding = fitted ?? CategoryCoding.Learn(table, c, kept, schema, column.Classes);
        var classes = new int[kept.Count];
        var mask = new Tensor<T>(kept.Count);
        for (int i = 0; i < kept.Count; i++)
        {
            string v = table.Rows[kept[i]][c];
            bool present = !table.IsMissing(v, schema);
            classes[i] = present ? coding.IndexOf(v, table, kept[i], c) : -1;
            mask[i] = present ? T.One : T.Zero;
        }

        return TaskTarget<T>.Classification(column.Name, classes, coding.Names, mask);
    }

    /// <summary>Parses field (row, column) as a finite number in the invariant culture.</summary>
    private static T ParseNumber<T>(CsvTable table, TabularSchema schema, int row, int column)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string field = table.Rows[row][column];
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            string markers = string.Join(", ", schema.MissingMarkers.Concat(table.FormatMissingMarkers).Select(m => $"'{m}'"));
            throw new DataFormatException(table.File, row + 1, table.Header[column], $"(line {table.Lines[row]}) '{field}' is not a number; if it marks a missing value, add it to TabularSchema.MissingMarkers (now {markers}).");
        }

        // double.TryParse accepts "NaN", "Infinity" and overflowing exponents; none is a usable value.
        T converted = T.CreateChecked(value);
        if (!T.IsFinite(converted))
        {
            throw new DataFormatException(table.File, row + 1, table.Header[column], $"(line {table.Lines[row]}) '{field}' is not a finite number{(double.IsFinite(value) ? $" in {typeof(T).Name}" : string.Empty)}.");
        }

        return converted;
    }
}
