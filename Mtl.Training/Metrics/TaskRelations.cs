using System.Globalization;
using System.Numerics;
using System.Text;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Training.Data;
using Mtl.Training.Weighting;

namespace Mtl.Training.Metrics;

/// <summary>
/// One view of how tasks relate: a named matrix with labelled rows and columns (T×T for task pairs, T×E for
/// the experts an MMoE gate uses) and where it came from.
/// </summary>
/// <param name="Name">What the entries are ("label correlation", "gradient cosine", ...).</param>
/// <param name="Reading">How to read an entry, for the table's caption.</param>
/// <param name="Rows">Row labels.</param>
/// <param name="Columns">Column labels.</param>
/// <param name="Values">The entries, [Rows, Columns]; NaN where undefined.</param>
public sealed record TaskRelation(string Name, string Reading, IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, double[,] Values);

/// <summary>
/// The ways Mtl can measure or learn how tasks relate, side by side: what the data says (the correlation of
/// the labels), what the gradients say (the cosine of the tasks' gradients on the shared parameters, the
/// lookahead affinity of TAG), and what a model learned (MTRL's task correlation, cross-stitch mixing weights,
/// the experts each MMoE gate uses). Each is a <see cref="TaskRelation"/>; <see cref="ToString"/> prints them
/// as tables.
/// </summary>
public sealed class TaskRelations
{
    private readonly List<TaskRelation> _relations = [];

    /// <summary>The relations, in the order they were added.</summary>
    public IReadOnlyList<TaskRelation> Relations => _relations;

    /// <summary>Adds a relation.</summary>
    public TaskRelations Add(TaskRelation relation)
    {
        ArgumentNullException.ThrowIfNull(relation);
        if (relation.Values.GetLength(0) != relation.Rows.Count || relation.Values.GetLength(1) != relation.Columns.Count)
        {
            throw new ArgumentException($"TaskRelations: '{relation.Name}' has {relation.Values.GetLength(0)}×{relation.Values.GetLength(1)} values for {relation.Rows.Count} row and {relation.Columns.Count} column labels.", nameof(relation));
        }

        _relations.Add(relation);
        return this;
    }

    /// <summary>
    /// Pearson's r between each pair of tasks' targets over the rows where both are labelled: regression values,
    /// and the class index of a two-class task (point-biserial r). NaN for a task with more than two classes or
    /// several attributes, and for a pair with fewer than two common rows or a constant target.
    /// </summary>
    public static TaskRelation LabelCorrelation<T>(MultiTaskDataset<T> data, IReadOnlyList<string> tasks)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(tasks);
        var columns = tasks.Select(t => Column(data.Task(t))).ToArray();
        int k = tasks.Count;
        var r = new double[k, k];
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                r[a, b] = Pearson(columns[a], columns[b]);
            }
        }

        return new TaskRelation("label correlation", "Pearson r of the targets on rows labelled for both", [.. tasks], [.. tasks], r);
    }

    /// <summary>The cosine of the tasks' gradients on the shared parameters (from <see cref="TaskConflictReport"/>).</summary>
    public static TaskRelation GradientCosine(TaskConflictReport conflict)
    {
        ArgumentNullException.ThrowIfNull(conflict);
        return new TaskRelation("gradient cosine", "cos(∇Lᵢ, ∇Lⱼ) on the shared parameters; < 0: conflict", conflict.Tasks, conflict.Tasks, conflict.Cosine);
    }

    /// <summary>TAG's lookahead affinity (from <see cref="TaskAffinityReport"/>).</summary>
    public static TaskRelation Affinity(TaskAffinityReport affinity)
    {
        ArgumentNullException.ThrowIfNull(affinity);
        return new TaskRelation("lookahead affinity (TAG)", "row i, column j: 1 − Lⱼ(θ − η∇Lᵢ)/Lⱼ(θ); > 0: a step for i helps j", affinity.Tasks, affinity.Tasks, affinity.Affinity);
    }

    /// <summary>MTRL's learned task correlation.</summary>
    public static TaskRelation Learned<T>(TaskRelationshipLearning<T> relationship)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(relationship);
        return new TaskRelation("MTRL correlation", "correlation of the learned task covariance Ω", relationship.Tasks, relationship.Tasks, relationship.Correlation);
    }

    /// <summary>Each cross-stitch unit's α: row i, column j is how much task i's next layer takes from task j's activation.</summary>
    public static IEnumerable<TaskRelation> CrossStitch<T>(CrossStitchModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        int k = 0;
        foreach (var unit in model.Stitches.Children.Select(c => c.Value).OfType<CrossStitchUnit<T>>())
        {
            var alpha = unit.Alpha.Data;
            int t = unit.TaskCount;
            var values = new double[t, t];
            for (int i = 0; i < t; i++)
            {
                for (int j = 0; j < t; j++)
                {
                    values[i, j] = double.CreateTruncating(alpha[i, j]);
                }
            }

            yield return new TaskRelation($"cross-stitch α{k++}", "row i, column j: the weight of task j's activation in task i's mix", model.Tasks, model.Tasks, values);
        }
    }

    /// <summary>Each MMoE gate's mean weight on each expert over <paramref name="data"/>'s rows (evaluation mode, no gradients).</summary>
    public static TaskRelation GateUsage<T>(MixtureOfExpertsModel<T> model, MultiTaskDataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        int experts = model.Experts.Children.Count;
        var usage = new double[model.Tasks.Count, experts];
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using (Tape.NoGrad())
            {
                var x = Var<T>.Constant(data.Features);
                for (int t = 0; t < model.Tasks.Count; t++)
                {
                    var gate = model.Gate(x, model.Tasks[t]).Data;
                    int n = gate.Shape[0];
                    for (int e = 0; e < experts; e++)
                    {
                        double sum = 0;
                        for (int i = 0; i < n; i++)
                        {
                            sum += double.CreateTruncating(gate[i, e]);
                        }

                        usage[t, e] = sum / n;
                    }
                }
            }
        }
        finally
        {
            if (wasTraining)
            {
                model.Train();
            }
        }

        return new TaskRelation("MMoE gate usage", "row: task, column: expert, the gate's mean weight", model.Tasks, [.. Enumerable.Range(0, experts).Select(e => "expert " + e.ToString(CultureInfo.InvariantCulture))], usage);
    }

    /// <summary>Every relation as a table with its caption.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        foreach (var r in _relations)
        {
            int width = Math.Max(8, Math.Max(r.Rows.Max(s => s.Length), r.Columns.Max(s => s.Length)));
            sb.Append(ci, $"{r.Name} ({r.Reading})\n");
            sb.Append(' ', width);
            foreach (var c in r.Columns)
            {
                sb.Append(' ').Append(c.PadLeft(width));
            }

            sb.Append('\n');
            for (int i = 0; i < r.Rows.Count; i++)
            {
                sb.Append(r.Rows[i].PadRight(width));
                for (int j = 0; j < r.Columns.Count; j++)
                {
                    sb.Append(' ').Append(Format(r.Values[i, j]).PadLeft(width));
                }

                sb.Append('\n');
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>An entry for a table: three decimals, or three significant digits for small magnitudes (TAG's
    /// per-step affinities are of the order of the learning rate); a dash for NaN.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "–"
        : value == 0 || Math.Abs(value) >= 0.01 ? value.ToString("F3", CultureInfo.InvariantCulture)
        : value.ToString("0.00e0", CultureInfo.InvariantCulture);

    /// <summary>A task's targets as numbers (NaN where unlabelled), or null when they are not one number per row.</summary>
    private static double[]? Column<T>(TaskTarget<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (target.Kind == TaskKind.MultiLabel || (target.Kind == TaskKind.Classification && target.ClassNames.Count > 2))
        {
            return null;
        }

        var values = new double[target.Rows];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = target.Mask[i] == T.Zero ? double.NaN
                : target.Kind == TaskKind.Regression ? double.CreateTruncating(target.Values![i]) : target.Classes![i];
        }

        return values;
    }

    private static double Pearson(double[]? a, double[]? b)
    {
        if (a is null || b is null)
        {
            return double.NaN;
        }

        double n = 0, ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsNaN(a[i]) && !double.IsNaN(b[i]))
            {
                n++;
                ma += a[i];
                mb += b[i];
            }
        }

        if (n < 2)
        {
            return double.NaN;
        }

        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (!double.IsNaN(a[i]) && !double.IsNaN(b[i]))
            {
                sab += (a[i] - ma) * (b[i] - mb);
                saa += (a[i] - ma) * (a[i] - ma);
                sbb += (b[i] - mb) * (b[i] - mb);
            }
        }

        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }
}
