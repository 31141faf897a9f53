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
    /// <summary>Reads <paramref name="path"/> and encodes it by <paramref name="schema"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A declared column is absent, a value is malformed or not finite,
    /// an input is missing under <see cref="MissingFeaturePolicy.Error"/>, or the CSV itself is malformed.</exception>
    public static MultiTaskDataset<T> Load<T>(string path, TabularSchema schema)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(schema);
        return Encode<T>(CsvReader.Read(path), schema);
    }

    /// <summary>Encodes an already-read table by <paramref name="schema"/>.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Load{T}"/>.</exception>
    public static MultiTaskDataset<T> Encode<T>(CsvTable table, TabularSchema schema)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        if (schema.Inputs.Count == 0 && schema.Targets.Count == 0)
        {
            throw new ArgumentException("TabularLoader: the schema declares no columns.", nameof(schema));
        }

        int[] inputAt = [.. schema.Inputs.Select(c => table.ColumnIndex(c.Name))];
        int[] targetAt = [.. schema.Targets.Select(c => table.ColumnIndex(c.Name))];
        var (kept, dropped) = KeptRows(table, schema, inputAt);

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

            codings[k] = CategoryCoding.Learn(table, inputAt[k], kept, schema, column.Categories);
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
                        x[(i * f) + offset] = ParseNumber<T>(table, kept[i], c);
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
            tasks[k] = schema.Targets[k].Kind == TaskKind.Regression
                ? RegressionTarget<T>(table, schema, schema.Targets[k], targetAt[k], kept)
                : ClassificationTarget<T>(table, schema, schema.Targets[k], targetAt[k], kept);
        }

        return new MultiTaskDataset<T>(features, featureNames, scalable, embeddings, tasks, dropped);
    }

    /// <summary>Rows whose inputs are all present, and the 1-based rows dropped for a missing input.</summary>
    private static (List<int> Kept, List<int> Dropped) KeptRows(CsvTable table, TabularSchema schema, int[] inputAt)
    {
        var kept = new List<int>(table.Rows.Count);
        var dropped = new List<int>();
        for (int r = 0; r < table.Rows.Count; r++)
        {
            int missing = Array.FindIndex(inputAt, c => schema.IsMissing(table.Rows[r][c]));
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
            if (!schema.IsMissing(table.Rows[kept[i]][c]))
            {
                values[i] = ParseNumber<T>(table, kept[i], c);
                mask[i] = T.One;
            }
        }

        return TaskTarget<T>.Regression(column.Name, values, mask);
    }

    private static TaskTarget<T> ClassificationTarget<T>(CsvTable table, TabularSchema schema, TargetColumn column, int c, List<int> kept)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var coding = CategoryCoding.Learn(table, c, kept, schema, column.Classes);
        var classes = new int[kept.Count];
        var mask = new Tensor<T>(kept.Count);
        for (int i = 0; i < kept.Count; i++)
        {
            string v = table.Rows[kept[i]][c];
            bool present = !schema.IsMissing(v);
            classes[i] = present ? coding.IndexOf(v, table, kept[i], c) : -1;
            mask[i] = present ? T.One : T.Zero;
        }

        return TaskTarget<T>.Classification(column.Name, classes, coding.Names, mask);
    }

    /// <summary>Parses field (row, column) as a finite number in the invariant culture.</summary>
    private static T ParseNumber<T>(CsvTable table, int row, int column)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string field = table.Rows[row][column];
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new DataFormatException(table.File, row + 1, table.Header[column], $"(line {table.Lines[row]}) '{field}' is not a number.");
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
