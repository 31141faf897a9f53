using System.Globalization;
using System.Text;

namespace Mtl.Training.Weighting;

/// <summary>
/// Inter-task affinity by lookahead (Fifty et al. 2021, TAG): Zᵢ→ⱼ = 1 − Lⱼ(θ − η·∇_θ Lᵢ) / Lⱼ(θ), how much a step on
/// the shared parameters θ along task i's gradient alone (learning rate η) lowers task j's loss on the same batch,
/// relative to its loss. Positive: i's update helps j; negative: it hurts j (a conflict that shows in the losses, not
/// only in the angle between gradients). Averaged over the steps it was measured on in an epoch.
/// </summary>
public sealed class TaskAffinityReport
{
    private readonly double[,] _affinity;

    internal TaskAffinityReport(string[] tasks, double[,] affinity, int steps)
    {
        Tasks = tasks;
        _affinity = affinity;
        Steps = steps;
    }

    /// <summary>Task names, in the order of the matrix's rows (the source i) and columns (the target j).</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>The mean Zᵢ→ⱼ (a copy); NaN for a pair never measured (a task absent from every measured batch).</summary>
    public double[,] Affinity => (double[,])_affinity.Clone();

    /// <summary>The steps the mean is over.</summary>
    public int Steps { get; }

    /// <summary>Zᵢ→ⱼ.</summary>
    public double Of(int source, int target) => _affinity[source, target];

    /// <summary>A table: one row per source task i, one column per target task j.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        int width = Math.Max(8, Tasks.Max(t => t.Length));
        var sb = new StringBuilder();
        sb.Append(ci, $"task affinity Z(i→j) over {Steps} step(s)\n");
        sb.Append(' ', width);
        foreach (var t in Tasks)
        {
            sb.Append(' ').Append(t.PadLeft(width));
        }

        for (int i = 0; i < Tasks.Count; i++)
        {
            sb.Append('\n').Append(Tasks[i].PadRight(width));
            for (int j = 0; j < Tasks.Count; j++)
            {
                sb.Append(' ').Append(_affinity[i, j].ToString("F4", ci).PadLeft(width));
            }
        }

        return sb.ToString();
    }
}
