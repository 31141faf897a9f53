namespace Mtl.Training.Metrics;

/// <summary>Regression metrics of one task, on the rows its mask keeps.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Count">Rows measured (mask 1).</param>
/// <param name="Mse">Mean squared error.</param>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="R2">Coefficient of determination (NaN for constant targets).</param>
public sealed record RegressionReport(string Task, int Count, double Mse, double Rmse, double Mae, double R2);

/// <summary>Classification metrics of one task, on the rows its mask keeps.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Count">Rows measured (mask 1).</param>
/// <param name="Accuracy">Fraction right.</param>
/// <param name="MacroF1">Macro-averaged F1.</param>
/// <param name="RocAuc">Binary ROC-AUC of class 1 for two-class tasks; NaN for more classes or when one class is absent.</param>
public sealed record ClassificationReport(string Task, int Count, double Accuracy, double MacroF1, double RocAuc);

/// <summary>Metrics of one binary attribute of a multi-label task, on the rows where it is known.</summary>
/// <param name="Attribute">The attribute's name.</param>
/// <param name="Count">Rows where the attribute is known.</param>
/// <param name="Positives">Known rows where it is 1.</param>
/// <param name="Accuracy">Fraction right, predicting 1 where the logit is &gt; 0 (probability &gt; ½).</param>
/// <param name="F1">F1 of the positive class, 2·TP / (2·TP + FP + FN); 0 when there is no positive in the
/// targets or the predictions (scikit-learn's zero_division = 0).</param>
/// <param name="RocAuc">ROC-AUC of the logit; NaN when the known rows hold one class only.</param>
public sealed record AttributeReport(string Attribute, int Count, int Positives, double Accuracy, double F1, double RocAuc);

/// <summary>Metrics of a multi-label task: one report per attribute and their means (macro averages).</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Count">Rows with at least one known attribute.</param>
/// <param name="Attributes">Per attribute, in the head's column order.</param>
public sealed record MultiLabelReport(string Task, int Count, IReadOnlyList<AttributeReport> Attributes)
{
    /// <summary>Mean accuracy over the attributes that have known rows.</summary>
    public double Accuracy => Mean(a => a.Accuracy);

    /// <summary>Mean F1 over the attributes that have known rows (macro-F1).</summary>
    public double MacroF1 => Mean(a => a.F1);

    /// <summary>Mean ROC-AUC over the attributes where it is defined; NaN when it is defined for none.</summary>
    public double RocAuc => Mean(a => a.RocAuc);

    /// <summary>The report of attribute <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such attribute.</exception>
    public AttributeReport this[string name] =>
        Attributes.FirstOrDefault(a => a.Attribute == name) ?? throw new KeyNotFoundException($"MultiLabelReport: task '{Task}' has no attribute '{name}' (it has {string.Join(", ", Attributes.Select(a => a.Attribute))}).");

    private double Mean(Func<AttributeReport, double> metric)
    {
        var values = Attributes.Where(a => a.Count > 0).Select(metric).Where(v => !double.IsNaN(v)).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }
}
