using System.Globalization;
using System.Text;

namespace Mtl.Training.Weighting;

/// <summary>
/// Task conflict at one step: each task's gradient norm on the shared parameters and the pairwise cosine
/// similarities cos(gᵢ, gⱼ) = gᵢ·gⱼ / (‖gᵢ‖‖gⱼ‖). A negative cosine is a conflicting pair (the case PCGrad
/// projects). A cosine involving a zero gradient is reported as 0.
/// </summary>
public sealed class TaskConflictReport
{
    private readonly double[,] _cosine;

    private TaskConflictReport(string[] tasks, double[] norms, double[,] cosine)
    {
        Tasks = tasks;
        Norms = norms;
        _cosine = cosine;
    }

    /// <summary>Task names.</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>‖gᵢ‖ per task.</summary>
    public IReadOnlyList<double> Norms { get; }

    /// <summary>cos(gᵢ, gⱼ) (a copy).</summary>
    public double[,] Cosine => (double[,])_cosine.Clone();

    /// <summary>cos(gᵢ, gⱼ).</summary>
    public double CosineOf(int i, int j) => _cosine[i, j];

    /// <summary>Number of pairs i &lt; j with a negative cosine.</summary>
    public int ConflictingPairs
    {
        get
        {
            int n = 0;
            for (int i = 0; i < Tasks.Count; i++)
            {
                for (int j = i + 1; j < Tasks.Count; j++)
                {
                    n += _cosine[i, j] < 0 ? 1 : 0;
                }
            }

            return n;
        }
    }

    /// <summary>The report of the given per-task gradients (all of one length).</summary>
    public static TaskConflictReport From(IReadOnlyList<string> tasks, IReadOnlyList<double[]> gradients)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        FlatVectors.Check("task conflict", gradients);
        if (tasks.Count != gradients.Count)
        {
            throw new ArgumentException($"task conflict: {tasks.Count} task names for {gradients.Count} gradients.", nameof(tasks));
        }

        return FromGram([.. tasks], FlatVectors.Gram(gradients));
    }

    /// <summary>The report from the tasks' Gram matrix Gᵢⱼ = gᵢ·gⱼ: ‖gᵢ‖ = √Gᵢᵢ, cos = Gᵢⱼ/(‖gᵢ‖‖gⱼ‖).</summary>
    internal static TaskConflictReport FromGram(IReadOnlyList<string> tasks, double[,] gram)
    {
        int k = tasks.Count;
        var norms = new double[k];
        for (int i = 0; i < k; i++)
        {
            norms[i] = Math.Sqrt(gram[i, i]);
        }

        var cosine = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            for (int j = i; j < k; j++)
            {
                double d = norms[i] * norms[j];
                cosine[i, j] = cosine[j, i] = d == 0 ? 0 : gram[i, j] / d;
            }
        }

        return new TaskConflictReport([.. tasks], norms, cosine);
    }

    /// <summary>A table: one row per task with its norm and its cosines to every task.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        int width = Math.Max(8, Tasks.Max(t => t.Length) + 2);
        var sb = new StringBuilder();
        sb.Append("task".PadRight(width)).Append("‖g‖".PadLeft(12));
        foreach (var t in Tasks)
        {
            sb.Append(t.PadLeft(width));
        }

        sb.Append('\n');
        for (int i = 0; i < Tasks.Count; i++)
        {
            sb.Append(Tasks[i].PadRight(width)).Append(Norms[i].ToString("G5", ci).PadLeft(12));
            for (int j = 0; j < Tasks.Count; j++)
            {
                sb.Append(_cosine[i, j].ToString("F4", ci).PadLeft(width));
            }

            sb.Append('\n');
        }

        sb.Append(ci, $"conflicting pairs (cos < 0): {ConflictingPairs}\n");
        return sb.ToString();
    }
}
