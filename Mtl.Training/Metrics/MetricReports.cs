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
