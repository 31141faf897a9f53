using Mtl.Training.Metrics;

namespace Mtl.Training;

/// <summary>Losses and metrics of a model on a data set, per task.</summary>
public sealed record EvaluationResult(
    IReadOnlyDictionary<string, double> Loss,
    IReadOnlyDictionary<string, RegressionReport> Regression,
    IReadOnlyDictionary<string, ClassificationReport> Classification)
{
    /// <summary>Metrics of the multi-label tasks (per attribute and their means); empty when there are none.</summary>
    public IReadOnlyDictionary<string, MultiLabelReport> MultiLabel { get; init; } = new Dictionary<string, MultiLabelReport>();

    /// <summary>
    /// A value by name: "val_loss" (the summed task losses), "&lt;task&gt;.loss", or a task metric
    /// "&lt;task&gt;.mse|rmse|mae|r2|accuracy|macro_f1|auc" (for a multi-label task, the means over its
    /// attributes); null when there is no such value.
    /// </summary>
    public double? Metric(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name is "val_loss" or "loss")
        {
            return Loss.Values.Sum();
        }

        int dot = name.LastIndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        string task = name[..dot], metric = name[(dot + 1)..];
        if (metric == "loss")
        {
            return Loss.TryGetValue(task, out double l) ? l : null;
        }

        if (Regression.TryGetValue(task, out var r))
        {
            return metric switch { "mse" => r.Mse, "rmse" => r.Rmse, "mae" => r.Mae, "r2" => r.R2, _ => null };
        }

        if (Classification.TryGetValue(task, out var c))
        {
            return metric switch { "accuracy" => c.Accuracy, "macro_f1" => c.MacroF1, "auc" => c.RocAuc, _ => null };
        }

        if (MultiLabel.TryGetValue(task, out var m))
        {
            return metric switch { "accuracy" => m.Accuracy, "macro_f1" => m.MacroF1, "auc" => m.RocAuc, _ => null };
        }

        return null;
    }

    /// <summary>True when larger values of <paramref name="metric"/> are better (r2, accuracy, macro_f1, auc).</summary>
    public static bool HigherIsBetter(string metric) =>
        metric.EndsWith(".r2", StringComparison.Ordinal) || metric.EndsWith(".accuracy", StringComparison.Ordinal)
        || metric.EndsWith(".macro_f1", StringComparison.Ordinal) || metric.EndsWith(".auc", StringComparison.Ordinal);
}
