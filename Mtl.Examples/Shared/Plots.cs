using System.Globalization;
using Mtl.Training;
using ScottPlot;

namespace Mtl.Examples;

/// <summary>One line of a plot.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="X">Abscissae.</param>
/// <param name="Y">Ordinates.</param>
/// <param name="Color">Index into the Category10 palette.</param>
/// <param name="Pattern">Solid for training, dashed for validation, dotted for a comparison run.</param>
public sealed record Series(string Label, double[] X, double[] Y, int Color, LinePattern Pattern);

/// <summary>PNG line plots with ScottPlot 5.</summary>
public static class Plots
{
    private static readonly ScottPlot.Palettes.Category10 Palette = new();

    /// <summary>Writes a line plot to <paramref name="path"/>; with <paramref name="logY"/> the y axis is logarithmic with
    /// decades labelled 0.01, 0.1, 1 … (1e-3 beyond). An x axis of whole numbers (epochs) gets whole-number ticks; lines of
    /// few points get a marker on each point; the legend goes in the corner that covers the least data unless
    /// <paramref name="legend"/> says where; <paramref name="bestEpoch"/> draws a vertical line at the restored best epoch.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series, bool logY = false, Alignment? legend = null, int? bestEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        var all = series.ToList();
        var points = new List<(double X, double Y)>();
        foreach (var s in all)
        {
            // ScottPlot 5 draws log axes as log10 of the data with tick labels mapped back.
            double[] y = logY ? [.. s.Y.Select(v => Math.Log10(Math.Max(v, 1e-12)))] : s.Y;
            var line = plot.Add.ScatterLine(s.X, y, Palette.GetColor(s.Color));
            line.LegendText = s.Label;
            line.LineWidth = 2;
            line.LinePattern = s.Pattern;
            bool markers = PlotTicks.UseMarkers(s.X.Length);
            line.MarkerSize = markers ? 6 : 0;
            line.MarkerShape = markers ? MarkerShape.FilledCircle : MarkerShape.None;
            points.AddRange(Densify(s.X, y));
        }

        var finite = points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        if (logY && finite.Count > 0)
        {
            double min = Math.Pow(10, finite.Min(p => p.Y)), max = Math.Pow(10, finite.Max(p => p.Y));
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            foreach (var tick in PlotTicks.Log(min, max))
            {
                if (tick.Major)
                {
                    ticks.AddMajor(Math.Log10(tick.Value), tick.Label);
                }
                else
                {
                    ticks.AddMinor(Math.Log10(tick.Value));
                }
            }

            plot.Axes.Left.TickGenerator = ticks;
            var (low, high) = PlotTicks.DecadeBounds(min, max);
            if (high - low >= 2)
            {
                plot.Axes.SetLimitsY(low, high);
            }
        }

        if (finite.Count > 0 && all.All(s => PlotTicks.AllIntegers(s.X)))
        {
            int first = (int)finite.Min(p => p.X), last = (int)finite.Max(p => p.X);
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            foreach (int x in PlotTicks.Integers(first, last))
            {
                ticks.AddMajor(x, x.ToString(CultureInfo.InvariantCulture));
            }

            plot.Axes.Bottom.TickGenerator = ticks;
        }

        if (bestEpoch is int best)
        {
            var mark = plot.Add.VerticalLine(best, 1.5f, Colors.Gray, LinePattern.DenselyDashed);
            mark.LegendText = $"restored best epoch ({best.ToString(CultureInfo.InvariantCulture)})";
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel + (logY ? " (log scale)" : string.Empty));
        if (legend is null && finite.Count > 0)
        {
            plot.Axes.AutoScale();
            if (logY)
            {
                double min = Math.Pow(10, finite.Min(p => p.Y)), max = Math.Pow(10, finite.Max(p => p.Y));
                var (low, high) = PlotTicks.DecadeBounds(min, max);
                if (high - low >= 2)
                {
                    plot.Axes.SetLimitsY(low, high);
                }
            }

            var limits = plot.Axes.GetLimits();
            legend = PlotTicks.LegendCorner(finite, limits.Left, limits.Right, limits.Bottom, limits.Top);
        }

        plot.ShowLegend(legend ?? Alignment.UpperRight);
        plot.SavePng(path, 900, 560);
    }

    /// <summary>The restored best epoch of a run that stopped improving before its last epoch, else null (nothing to mark).</summary>
    public static int? RestoredBestEpoch(TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return history.BestEpoch > 0 && history.BestEpoch < history.Epochs.Count ? history.BestEpoch : null;
    }

    /// <summary>Points along each segment of a line, so that a corner a line crosses between two points counts as covered.</summary>
    private static IEnumerable<(double X, double Y)> Densify(double[] x, double[] y)
    {
        const int Steps = 8;
        for (int i = 0; i < x.Length; i++)
        {
            yield return (x[i], y[i]);
            if (i + 1 < x.Length)
            {
                for (int k = 1; k < Steps; k++)
                {
                    double t = k / (double)Steps;
                    yield return (x[i] + (t * (x[i + 1] - x[i])), y[i] + (t * (y[i + 1] - y[i])));
                }
            }
        }
    }

    /// <summary>Epoch numbers 1..n of a history.</summary>
    public static double[] Epochs(TrainingHistory history) => [.. history.Epochs.Select(e => (double)e.Epoch)];

    /// <summary>Mean training loss of <paramref name="task"/> per epoch.</summary>
    public static double[] TrainLoss(TrainingHistory history, string task) => [.. history.Epochs.Select(e => e.TrainLoss[task])];

    /// <summary>Validation loss of <paramref name="task"/> per epoch.</summary>
    public static double[] ValidationLoss(TrainingHistory history, string task) =>
        [.. history.Epochs.Select(e => e.Validation?.Loss[task] ?? double.NaN)];

    /// <summary>A validation metric ("&lt;task&gt;.accuracy", "&lt;task&gt;.r2"...) per epoch.</summary>
    public static double[] ValidationMetric(TrainingHistory history, string metric) =>
        [.. history.Epochs.Select(e => e.Metric(metric) ?? double.NaN)];

    /// <summary>Training (solid) and validation (dashed) loss of every task of a run, one colour per task.</summary>
    public static IEnumerable<Series> LossCurves(TrainingHistory history, IReadOnlyList<string> tasks, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(tasks);
        var x = Epochs(history);
        for (int t = 0; t < tasks.Count; t++)
        {
            yield return new Series($"{prefix}{tasks[t]} train", x, TrainLoss(history, tasks[t]), t, LinePattern.Solid);
            if (history.Epochs.Count > 0 && history.Epochs[0].Validation is not null)
            {
                yield return new Series($"{prefix}{tasks[t]} validation", x, ValidationLoss(history, tasks[t]), t, LinePattern.Dashed);
            }
        }
    }
}
