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

    /// <summary>Writes a line plot to <paramref name="path"/>; with <paramref name="logY"/> the y axis is logarithmic.
    /// The legend goes lower left by default, where falling loss curves leave room.</summary>
    public static void Lines(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series, bool logY = false, Alignment legend = Alignment.LowerLeft)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        foreach (var s in series)
        {
            // ScottPlot 5 draws log axes as log10 of the data with tick labels mapped back.
            double[] y = logY ? [.. s.Y.Select(v => Math.Log10(Math.Max(v, 1e-12)))] : s.Y;
            var line = plot.Add.ScatterLine(s.X, y, Palette.GetColor(s.Color));
            line.LegendText = s.Label;
            line.LineWidth = 2;
            line.LinePattern = s.Pattern;
        }

        if (logY)
        {
            // Decades with log-spaced minor ticks when the data spans them; plain ticks on a narrow range.
            var all = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().SelectMany(p => p.Data.GetScatterPoints()).Select(c => c.Y).Where(double.IsFinite).ToArray();
            bool decades = all.Length > 0 && all.Max() - all.Min() >= 1.5;
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture),
                IntegerTicksOnly = decades,
                MinorTickGenerator = decades ? new ScottPlot.TickGenerators.LogMinorTickGenerator() : new ScottPlot.TickGenerators.EvenlySpacedMinorTickGenerator(5),
            };
        }

        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel + (logY ? " (log scale)" : string.Empty));
        plot.ShowLegend(legend);
        plot.SavePng(path, 900, 560);
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
