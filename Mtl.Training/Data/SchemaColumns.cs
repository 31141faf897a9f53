namespace Mtl.Training.Data;

/// <summary>A declared input column.</summary>
/// <param name="Name">The CSV column.</param>
/// <param name="Kind">How it is encoded.</param>
/// <param name="Categories">Fixed categories for a categorical column, or null to learn them.</param>
public sealed record InputColumn(string Name, InputKind Kind, IReadOnlyList<string>? Categories);

/// <summary>A declared target column; the task takes the column's name.</summary>
/// <param name="Name">The CSV column and task name.</param>
/// <param name="Kind">Regression or classification.</param>
/// <param name="Classes">Fixed class names for classification, or null to learn them.</param>
public sealed record TargetColumn(string Name, TaskKind Kind, IReadOnlyList<string>? Classes);
