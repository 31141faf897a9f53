namespace Mtl.Training.Metrics;

/// <summary>
/// LibMTL's Δm% (Maninis et al. 2019; Lin &amp; Zhang 2023): the average relative improvement of a multi-task
/// model over single-task baselines, Δm = (1/T)·Σₜ (1/Kₜ)·Σₖ sₖ·(Mₜ,ₖ − Bₜ,ₖ)/Bₜ,ₖ · 100 over each task t's Kₜ
/// metrics, with sₖ = +1 where higher is better (accuracy, R²) and −1 where lower is better (MAE, loss).
/// Positive: sharing helped on average.
/// </summary>
public static class DeltaM
{
    /// <summary>One metric of one task: the model's value, the single-task baseline's, and its direction.</summary>
    /// <param name="Task">The task the metric belongs to (metrics of one task are averaged first).</param>
    /// <param name="Value">The multi-task model's value.</param>
    /// <param name="Baseline">The single-task model's value (non-zero).</param>
    /// <param name="HigherIsBetter">The metric's direction.</param>
    public readonly record struct Entry(string Task, double Value, double Baseline, bool HigherIsBetter);

    /// <summary>Δm in percent.</summary>
    /// <exception cref="ArgumentException">No entries, or a baseline of 0 or a non-finite value.</exception>
    public static double Percent(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            throw new ArgumentException("DeltaM: no metrics given.", nameof(entries));
        }

        foreach (var e in entries)
        {
            if (e.Baseline == 0 || !double.IsFinite(e.Baseline) || !double.IsFinite(e.Value))
            {
                throw new ArgumentException($"DeltaM: task '{e.Task}' has value {e.Value} against baseline {e.Baseline}; the relative change needs finite values and a non-zero baseline.", nameof(entries));
            }
        }

        return entries.GroupBy(e => e.Task)
            .Average(task => task.Average(e => (e.HigherIsBetter ? 1 : -1) * (e.Value - e.Baseline) / Math.Abs(e.Baseline))) * 100;
    }
}
