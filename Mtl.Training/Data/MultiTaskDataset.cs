using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// N examples with one input tensor and one target per task. Features are [N, F] for tables or
/// [N, C, H, W] for images (rows always on axis 0); categorical inputs encoded as embedding indices sit
/// beside them in <see cref="Embeddings"/>. Each task has its own mask, so a row with a missing label
/// still teaches the other tasks. Immutable in shape: subsets and standardised copies are new datasets.
/// </summary>
public sealed class MultiTaskDataset<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a dataset; tensors and arrays are used, not copied.</summary>
    /// <param name="features">Inputs, rows on axis 0.</param>
    /// <param name="featureNames">One name per feature column for [N, F] features; may be empty for images.</param>
    /// <param name="scalableColumns">Feature columns that standardisation applies to (numeric ones; one-hot and pixel columns are left out).</param>
    /// <param name="embeddings">Categorical inputs as indices.</param>
    /// <param name="tasks">Targets, one per task, each with N rows.</param>
    /// <param name="droppedRows">1-based source rows left out when loading (reported, never silent).</param>
    /// <exception cref="ArgumentException">Row counts disagree, names are duplicated, or a feature is not finite.</exception>
    public MultiTaskDataset(
        Tensor<T> features,
        IReadOnlyList<string> featureNames,
        IReadOnlyList<int> scalableColumns,
        IReadOnlyList<EmbeddingColumn> embeddings,
        IReadOnlyList<TaskTarget<T>> tasks,
        IReadOnlyList<int>? droppedRows = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(scalableColumns);
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(tasks);
        if (features.Rank < 1)
        {
            throw new ArgumentException("MultiTaskDataset: features need a row axis.", nameof(features));
        }

        int rows = features.Shape[0];
        if (featureNames.Count != 0 && (features.Rank != 2 || featureNames.Count != features.Shape[1]))
        {
            throw new ArgumentException($"MultiTaskDataset: {featureNames.Count} feature names for features {features.Shape}.", nameof(featureNames));
        }

        foreach (int c in scalableColumns)
        {
            if (features.Rank != 2 || (uint)c >= (uint)features.Shape[1])
            {
                throw new ArgumentException($"MultiTaskDataset: scalable column {c} is not a column of features {features.Shape}.", nameof(scalableColumns));
            }
        }

        foreach (var e in embeddings)
        {
            CheckRows(e.Name, e.Indices.Length, rows);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            CheckRows(t.Name, t.Rows, rows);
            if (!names.Add(t.Name))
            {
                throw new ArgumentException($"MultiTaskDataset: task '{t.Name}' appears twice.", nameof(tasks));
            }
        }

        int bad = FirstNonFinite(features.ReadOnlySpan);
        if (bad >= 0)
        {
            int row = bad / Math.Max(1, features.RowLength);
            throw new ArgumentException($"MultiTaskDataset: feature element {bad} (row {row}) is {features[bad]}; features must be finite.", nameof(features));
        }

        Features = features;
        FeatureNames = featureNames;
        ScalableColumns = scalableColumns;
        Embeddings = embeddings;
        Tasks = tasks;
        DroppedRows = droppedRows ?? [];
    }

    /// <summary>Inputs, rows on axis 0.</summary>
    public Tensor<T> Features { get; }

    /// <summary>Feature column names for [N, F] features (one-hot columns are named <c>column=category</c>).</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>Feature columns that a <see cref="Standardizer{T}"/> fitted by <see cref="FitFeatureStandardizer"/> scales.</summary>
    public IReadOnlyList<int> ScalableColumns { get; }

    /// <summary>Categorical inputs kept as indices.</summary>
    public IReadOnlyList<EmbeddingColumn> Embeddings { get; }

    /// <summary>Targets, one per task, in declaration order.</summary>
    public IReadOnlyList<TaskTarget<T>> Tasks { get; }

    /// <summary>1-based source rows dropped at load because an input was missing (empty for derived datasets).</summary>
    public IReadOnlyList<int> DroppedRows { get; }

    /// <summary>The standardiser of each regression task whose targets <see cref="StandardizeTarget"/> scaled
    /// (empty when the targets are in their original units). Evaluation uses it to report metrics in original
    /// units, and to refuse data scaled differently from the data the model was trained on.</summary>
    public IReadOnlyDictionary<string, Standardizer<T>> TargetScalers { get; private init; } = new Dictionary<string, Standardizer<T>>();

    /// <summary>Number of examples.</summary>
    public int Rows => Features.Shape[0];

    /// <summary>The task named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task; the message lists the tasks there are.</exception>
    public TaskTarget<T> Task(string name)
    {
        foreach (var t in Tasks)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        throw new KeyNotFoundException($"MultiTaskDataset: no task named '{name}' (have: {string.Join(", ", Tasks.Select(t => t.Name))}).");
    }

    /// <summary>The examples at <paramref name="rows"/>, in that order, copied into a new dataset.</summary>
    public MultiTaskDataset<T> Subset(ReadOnlySpan<int> rows)
    {
        var features = Tensor.Gather(Features, rows);
        var embeddings = new EmbeddingColumn[Embeddings.Count];
        for (int i = 0; i < embeddings.Length; i++)
        {
            embeddings[i] = Embeddings[i].Gather(rows);
        }

        var tasks = new TaskTarget<T>[Tasks.Count];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Tasks[i].Gather(rows);
        }

        return new MultiTaskDataset<T>(features, FeatureNames, ScalableColumns, embeddings, tasks) { TargetScalers = TargetScalers };
    }

    /// <summary>This dataset with other features (same rows) and everything else shared.</summary>
    public MultiTaskDataset<T> WithFeatures(Tensor<T> features) =>
        new(features, FeatureNames, ScalableColumns, Embeddings, Tasks, DroppedRows) { TargetScalers = TargetScalers };

    /// <summary>
    /// This dataset with only the feature columns <paramref name="names"/>, in that order (a task's own view of a
    /// table, for a multi-input model); the targets, their scalers and the embeddings are kept.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not a feature of this dataset, or is given twice.</exception>
    public MultiTaskDataset<T> SelectFeatures(params IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        int rows = Rows, width = Features.Shape[1];
        var columns = new int[names.Count];
        for (int j = 0; j < names.Count; j++)
        {
            int c = -1;
            for (int k = 0; k < FeatureNames.Count && c < 0; k++)
            {
                c = FeatureNames[k] == names[j] ? k : -1;
            }

            columns[j] = c >= 0 ? c : throw new ArgumentException($"MultiTaskDataset.SelectFeatures: '{names[j]}' is not a feature (the features are {string.Join(", ", FeatureNames)}).", nameof(names));
            if (Array.IndexOf(columns, c, 0, j) >= 0)
            {
                throw new ArgumentException($"MultiTaskDataset.SelectFeatures: '{names[j]}' is named twice.", nameof(names));
            }
        }

        var selected = new Tensor<T>(rows, columns.Length);
        var src = Features.ReadOnlySpan;
        var dst = selected.Span;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns.Length; j++)
            {
                dst[(i * columns.Length) + j] = src[(i * width) + columns[j]];
            }
        }

        int[] scalable = [.. Enumerable.Range(0, columns.Length).Where(j => ScalableColumns.Contains(columns[j]))];
        return new MultiTaskDataset<T>(selected, [.. names], scalable, Embeddings, Tasks, DroppedRows) { TargetScalers = TargetScalers };
    }

    /// <summary>This dataset with task <paramref name="task"/> replaced (same name, same rows); the replaced
    /// task's entry in <see cref="TargetScalers"/> is dropped, since the new targets are not known to be scaled.</summary>
    public MultiTaskDataset<T> WithTask(TaskTarget<T> task) => WithTask(task, scaler: null);

    private MultiTaskDataset<T> WithTask(TaskTarget<T> task, Standardizer<T>? scaler)
    {
        ArgumentNullException.ThrowIfNull(task);
        var tasks = Tasks.Select(t => t.Name == task.Name ? task : t).ToArray();
        if (!Tasks.Any(t => t.Name == task.Name))
        {
            throw new KeyNotFoundException($"MultiTaskDataset: no task named '{task.Name}' to replace.");
        }

        var scalers = TargetScalers.Where(p => p.Key != task.Name).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        if (scaler is not null)
        {
            scalers[task.Name] = scaler;
        }

        return new MultiTaskDataset<T>(Features, FeatureNames, ScalableColumns, Embeddings, tasks, DroppedRows) { TargetScalers = scalers };
    }

    /// <summary>Fits a z-score standardiser to the <see cref="ScalableColumns"/> of these features
    /// (call it on the training split only, then apply it to every split with <see cref="StandardizeFeatures"/>).</summary>
    public Standardizer<T> FitFeatureStandardizer() => Standardizer<T>.Fit(Features, ScalableColumns, FeatureNames);

    /// <summary>This dataset with its features transformed by <paramref name="standardizer"/>.</summary>
    public MultiTaskDataset<T> StandardizeFeatures(Standardizer<T> standardizer)
    {
        ArgumentNullException.ThrowIfNull(standardizer);
        return WithFeatures(standardizer.Transform(Features));
    }

    /// <summary>Fits a standardiser to regression task <paramref name="task"/>'s present (unmasked) targets.</summary>
    /// <exception cref="ArgumentException">The task is not a regression task.</exception>
    public Standardizer<T> FitTargetStandardizer(string task)
    {
        var t = Task(task);
        if (t.Values is null)
        {
            throw new ArgumentException($"MultiTaskDataset: task '{task}' is {t.Kind}; only regression targets are standardised.", nameof(task));
        }

        return Standardizer<T>.Fit(t.Values, [0], [task], t.Mask);
    }

    /// <summary>This dataset with regression task <paramref name="task"/>'s targets transformed by <paramref name="standardizer"/>
    /// (masked rows stay 0). The scaler is recorded in <see cref="TargetScalers"/>, so that
    /// <see cref="Trainer{T}.Evaluate(MultiTaskDataset{T})"/> reports this task's metrics in the original units.</summary>
    /// <exception cref="ArgumentException">The task is not regression, or the scaler is not [·, 1].</exception>
    /// <exception cref="InvalidOperationException">The task's targets are already standardised.</exception>
    public MultiTaskDataset<T> StandardizeTarget(string task, Standardizer<T> standardizer)
    {
        ArgumentNullException.ThrowIfNull(standardizer);
        var t = Task(task);
        if (t.Values is null)
        {
            throw new ArgumentException($"MultiTaskDataset: task '{task}' is {t.Kind}; only regression targets are standardised.", nameof(task));
        }

        if (TargetScalers.ContainsKey(task))
        {
            throw new InvalidOperationException($"MultiTaskDataset: task '{task}' is already standardised; scaling it twice would lose the original units.");
        }

        var values = standardizer.Transform(t.Values);
        var v = values.Span;
        var m = t.Mask.ReadOnlySpan;
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = m[i] == T.Zero ? T.Zero : v[i];
        }

        return WithTask(TaskTarget<T>.Regression(task, values, t.Mask), standardizer);
    }

    /// <summary>Regression task <paramref name="task"/>'s targets in original units: the inverse of its entry in
    /// <see cref="TargetScalers"/> applied (masked rows stay 0), or the targets themselves when it has none.</summary>
    public TaskTarget<T> OriginalTarget(string task)
    {
        var t = Task(task);
        if (t.Values is null || !TargetScalers.TryGetValue(task, out var scaler))
        {
            return t;
        }

        var values = scaler.InverseTransform(t.Values);
        var v = values.Span;
        var m = t.Mask.ReadOnlySpan;
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = m[i] == T.Zero ? T.Zero : v[i];
        }

        return TaskTarget<T>.Regression(task, values, t.Mask);
    }

    private static void CheckRows(string name, int count, int rows)
    {
        if (count != rows)
        {
            throw new ArgumentException($"MultiTaskDataset: '{name}' has {count} rows but the features have {rows}.");
        }
    }

    private static int FirstNonFinite(ReadOnlySpan<T> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!T.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
