using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// The preprocessing of a table, fitted once on the training rows and then applied unchanged to every
/// other split and to new files: the resolved <see cref="TabularSchema"/>, the category vocabulary of each
/// categorical input and classification target, a z-score scaler for the numeric features and one per
/// regression target. Because the vocabularies are fixed, a new file gets the same one-hot columns and
/// class numbers as the training file (a category it lacks is an all-zero column, an unseen one an error
/// or the <see cref="TabularSchema.UnknownCategory"/> bucket); because the scalers travel with it, predictions
/// can be mapped back to the original units. Saved as JSON beside a model checkpoint
/// (<see cref="SaveBeside"/>, <see cref="LoadBeside"/>).
/// <code>
/// var table = TabularLoader.Read("penguins.csv", schema);
/// var split = DataSplit.Random(table.Rows.Count, 0.7, 0.15, seed: 1);
/// var pipeline = TabularPipeline.Fit(table, schema, split.Train);
/// var train = pipeline.Transform&lt;float&gt;(table, split.Train);
/// var fresh = pipeline.Transform&lt;float&gt;(TabularLoader.Read("new.csv", pipeline.Schema));
/// </code>
/// </summary>
public sealed partial class TabularPipeline
{
    private TabularPipeline(
        TabularSchema schema,
        IReadOnlyList<string> featureNames,
        IReadOnlyList<int> scalableColumns,
        ScaleStats? features,
        IReadOnlyDictionary<string, ScaleStats> targets)
    {
        Schema = schema;
        FeatureNames = featureNames;
        ScalableColumns = scalableColumns;
        FeatureStats = features;
        TargetStats = targets;
    }

    /// <summary>The schema with every column resolved and every vocabulary fixed (categorical inputs and
    /// classification targets carry the categories they were fitted with).</summary>
    public TabularSchema Schema { get; }

    /// <summary>Feature column names of the datasets <see cref="Transform{T}(CsvTable, IReadOnlyList{int}?)"/> produces.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The numeric feature columns the feature scaler applies to.</summary>
    public IReadOnlyList<int> ScalableColumns { get; }

    /// <summary>μ and σ of the scaled feature columns, or null when features are not scaled.</summary>
    public ScaleStats? FeatureStats { get; }

    /// <summary>μ and σ per standardised regression target (empty when targets are not scaled).</summary>
    public IReadOnlyDictionary<string, ScaleStats> TargetStats { get; }

    /// <summary>The categories of a categorical input or classification target, in index order.</summary>
    /// <exception cref="KeyNotFoundException">No such categorical column.</exception>
    public IReadOnlyList<string> Categories(string column)
    {
        foreach (var c in Schema.Inputs)
        {
            if (c.Name == column && c.Categories is not null)
            {
                return c.Categories;
            }
        }

        foreach (var t in Schema.Targets)
        {
            if (t.Name == column && t.Classes is not null)
            {
                return t.Classes;
            }
        }

        throw new KeyNotFoundException($"TabularPipeline: '{column}' is not a categorical input or classification target.");
    }

    /// <summary>Fits the pipeline to <paramref name="rows"/> of <paramref name="table"/> (0-based table rows; null for all):
    /// only those rows contribute categories and scaler statistics, so validation and test rows do not leak in.</summary>
    /// <param name="table">The training table (read with <see cref="TabularLoader.Read"/>).</param>
    /// <param name="schema">What the columns mean.</param>
    /// <param name="rows">The training rows, or null for the whole table.</param>
    /// <param name="scaleFeatures">Standardise the numeric features.</param>
    /// <param name="scaleTargets">Standardise the regression targets (metrics are still reported in original units).</param>
    /// <exception cref="DataFormatException">As for <see cref="TabularLoader.Load{T}"/>.</exception>
    public static TabularPipeline Fit(CsvTable table, TabularSchema schema, IReadOnlyList<int>? rows = null, bool scaleFeatures = true, bool scaleTargets = true)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        var resolved = schema.ResolveFor(table.Header, table.File);
        int[] inputAt = [.. resolved.Inputs.Select(c => table.ColumnIndex(c.Name))];
        var (kept, _) = TabularLoader.KeptRows(table, resolved, inputAt, rows);
        bool bucket = resolved.UnseenCategories == UnseenCategoryPolicy.UnknownBucket;

        var inputs = new List<InputColumn>();
        foreach (var c in resolved.Inputs)
        {
            if (c.Kind == InputKind.Numeric)
            {
                inputs.Add(c);
                continue;
            }

            var names = CategoryCoding.Learn(table, table.ColumnIndex(c.Name), kept, resolved, c.Categories).Names.ToList();
            if (bucket && !names.Contains(TabularSchema.UnknownCategory))
            {
                names.Add(TabularSchema.UnknownCategory);
            }

            inputs.Add(c with { Categories = names });
        }

        var targets = resolved.Targets
            .Select(t => t.Kind == TaskKind.Classification ? t with { Classes = CategoryCoding.Learn(table, table.ColumnIndex(t.Name), kept, resolved, t.Classes).Names } : t)
            .ToList();
        var fixedSchema = resolved.With(inputs, targets);

        // Statistics in double whatever T the model uses, so one pipeline serves float and double models.
        var data = TabularLoader.Encode<double>(table, fixedSchema, rows, Codings(fixedSchema));
        ScaleStats? featureStats = null;
        if (scaleFeatures && data.ScalableColumns.Count > 0)
        {
            var s = data.FitFeatureStandardizer();
            featureStats = new ScaleStats(s.Mean, s.Std);
        }

        var targetStats = new Dictionary<string, ScaleStats>(StringComparer.Ordinal);
        if (scaleTargets)
        {
            foreach (var t in data.Tasks.Where(t => t.Kind == TaskKind.Regression))
            {
                var s = data.FitTargetStandardizer(t.Name);
                targetStats[t.Name] = new ScaleStats(s.Mean, s.Std);
            }
        }

        return new TabularPipeline(fixedSchema, data.FeatureNames, data.ScalableColumns, featureStats, targetStats);
    }

    /// <summary>Reads <paramref name="path"/> by <paramref name="schema"/> and fits the pipeline to all its rows.</summary>
    public static TabularPipeline Fit(string path, TabularSchema schema) => Fit(TabularLoader.Read(path, schema), schema);

    /// <summary>Encodes <paramref name="rows"/> of <paramref name="table"/> (null for all) with the fitted vocabularies
    /// and scales them with the fitted statistics. The dataset's <see cref="MultiTaskDataset{T}.TargetScalers"/> record the
    /// target scaling, so <see cref="Trainer{T}.Evaluate(MultiTaskDataset{T})"/> reports regression metrics in original units.</summary>
    /// <exception cref="DataFormatException">A column is absent, a value is malformed, or a category was not seen when fitting
    /// (under <see cref="UnseenCategoryPolicy.Error"/>); the message names the file, row, column and value.</exception>
    public MultiTaskDataset<T> Transform<T>(CsvTable table, IReadOnlyList<int>? rows = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var data = Encode<T>(table, rows);
        if (FeatureStats is not null)
        {
            data = data.StandardizeFeatures(FeatureScaler<T>());
        }

        foreach (var task in TargetStats.Keys)
        {
            data = data.StandardizeTarget(task, TargetScaler<T>(task)!);
        }

        return data;
    }

    /// <summary>Reads <paramref name="path"/> in the pipeline's dialect (or as ARFF) and transforms all its rows.</summary>
    public MultiTaskDataset<T> Transform<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T> => Transform<T>(TabularLoader.Read(path, Schema));

    /// <summary>Encodes with the fitted vocabularies but does not scale (features and targets in original units).</summary>
    /// <exception cref="DataFormatException">As for <see cref="Transform{T}(CsvTable, IReadOnlyList{int}?)"/>.</exception>
    public MultiTaskDataset<T> Encode<T>(CsvTable table, IReadOnlyList<int>? rows = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(table);
        var data = TabularLoader.Encode<T>(table, Schema, rows, Codings(Schema));
        if (!data.FeatureNames.SequenceEqual(FeatureNames))
        {
            throw new DataFormatException(table.File, 0, null, $"the encoded features ({string.Join(", ", data.FeatureNames)}) differ from the fitted ones ({string.Join(", ", FeatureNames)}).");
        }

        return data;
    }

    /// <summary>The feature scaler (identity when features are not scaled).</summary>
    public Standardizer<T> FeatureScaler<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        FeatureStats is null
            ? new Standardizer<T>(FeatureNames.Count, [], [], [])
            : new Standardizer<T>(FeatureNames.Count, ScalableColumns, FeatureStats.Mean, FeatureStats.Std);

    /// <summary>The scaler of regression target <paramref name="task"/>, or null when it is not scaled.</summary>
    public Standardizer<T>? TargetScaler<T>(string task)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TargetStats.TryGetValue(task, out var s) ? new Standardizer<T>(1, [0], s.Mean, s.Std) : null;

    /// <summary>Model outputs mapped to original units: scaled regression outputs through the inverse of their
    /// target scaler; classification logits unchanged (see <see cref="PredictedClasses{T}"/>).</summary>
    public TaskPredictions<T> ToOriginalUnits<T>(IReadOnlyDictionary<string, Tensor<T>> predictions)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var result = new Dictionary<string, Tensor<T>>(StringComparer.Ordinal);
        foreach (var (task, output) in predictions)
        {
            var scaler = TargetScaler<T>(task);
            result[task] = scaler is null ? output : scaler.InverseTransform(output.Reshape(output.Length, 1));
        }

        return new TaskPredictions<T>(result);
    }

    /// <summary>The predicted class name per row of classification task <paramref name="task"/> (arg-max of its logits).</summary>
    /// <exception cref="ArgumentException">The task is not a classification task of this pipeline, or the logits are not [N, classes].</exception>
    public string[] PredictedClasses<T>(IReadOnlyDictionary<string, Tensor<T>> predictions, string task)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(predictions);
        var classes = Schema.Targets.FirstOrDefault(t => t.Name == task && t.Classes is not null)?.Classes
            ?? throw new ArgumentException($"TabularPipeline: '{task}' is not a classification task of this pipeline.", nameof(task));
        var logits = predictions[task];
        if (logits.Rank != 2 || logits.Shape[1] != classes.Count)
        {
            throw new ArgumentException($"TabularPipeline: logits {logits.Shape} for task '{task}' with {classes.Count} classes.", nameof(predictions));
        }

        return [.. Metrics.ClassificationMetrics.ArgMax(logits).Select(i => classes[i])];
    }

    /// <summary>The fitted vocabularies as codings (inputs may map unseen values to the bucket; targets never).</summary>
    private static Dictionary<string, CategoryCoding> Codings(TabularSchema schema)
    {
        bool bucket = schema.UnseenCategories == UnseenCategoryPolicy.UnknownBucket;
        var codings = new Dictionary<string, CategoryCoding>(StringComparer.Ordinal);
        foreach (var c in schema.Inputs.Where(c => c.Categories is not null))
        {
            codings[c.Name] = CategoryCoding.Fitted(c.Categories!, bucket);
        }

        foreach (var t in schema.Targets.Where(t => t.Classes is not null))
        {
            codings[t.Name] = CategoryCoding.Fitted(t.Classes!, unknownBucket: false);
        }

        return codings;
    }
}

/// <summary>Fitted z-score statistics: μ and σ per scaled column.</summary>
/// <param name="Mean">μ per column.</param>
/// <param name="Std">σ per column (1 for a column that was constant).</param>
public sealed record ScaleStats(IReadOnlyList<double> Mean, IReadOnlyList<double> Std);
