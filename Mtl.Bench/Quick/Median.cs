using System.Diagnostics;

namespace Mtl.Bench.Quick;

/// <summary>Timing helpers for quick mode: medians of repeated samples, never means (the machines are noisy).</summary>
internal static class Median
{
    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Of(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }

    /// <summary>
    /// Median seconds per call of <paramref name="action"/>: warm-up, then samples of enough calls to last
    /// about <paramref name="sampleSeconds"/> each, for at least <paramref name="totalSeconds"/> and 5 samples.
    /// </summary>
    public static double SecondsPerCall(Action action, double totalSeconds, double sampleSeconds = 0.01)
    {
        for (int i = 0; i < 3; i++)
        {
            action();
        }

        // Calibrate the calls per sample.
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (sw.Elapsed.TotalSeconds < sampleSeconds || calls == 0)
        {
            action();
            calls++;
        }

        var samples = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < totalSeconds || samples.Count < 5)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
            {
                action();
            }

            samples.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds / calls);
        }

        return Of(samples);
    }
}
