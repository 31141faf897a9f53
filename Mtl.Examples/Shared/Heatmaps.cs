using Mtl.Training.Metrics;
using ScottPlot;

namespace Mtl.Examples;

/// <summary>Task relations as heat maps, one panel per relation, in one PNG (ScottPlot 5's multiplot).</summary>
public static class Heatmaps
{
    /// <summary>Writes every relation of <paramref name="relations"/> as an annotated heat map to <paramref name="path"/>.
    /// A diverging colour map centred on 0 (blue negative, red positive) over [−m, m], m the panel's largest
    /// magnitude (so TAG's small per-step affinities still show); each cell shows its value.</summary>
    public static void Write(string path, string title, TaskRelations relations)
    {
        ArgumentNullException.ThrowIfNull(relations);
        var all = relations.Relations;
        if (all.Count == 0)
        {
            throw new ArgumentException("Heatmaps: no relations to draw.", nameof(relations));
        }

        int columns = Math.Min(3, all.Count), rows = (all.Count + columns - 1) / columns;
        var multiplot = new Multiplot();
        multiplot.AddPlots(all.Count);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, columns);
        for (int p = 0; p < all.Count; p++)
        {
            Panel(multiplot.GetPlot(p), all[p], p == 0 ? title : null);
        }

        multiplot.SavePng(path, 420 * columns, 380 * rows);
    }

    private static void Panel(Plot plot, TaskRelation relation, string? title)
    {
        var v = relation.Values;
        int r = v.GetLength(0), c = v.GetLength(1);
        double limit = 0;
        foreach (double x in v)
        {
            limit = double.IsFinite(x) ? Math.Max(limit, Math.Abs(x)) : limit;
        }

        limit = limit == 0 ? 1 : limit;

        // One filled cell per entry, row 0 at the top as in the table; the colour is computed here (a plain
        // blue-white-red ramp) so that 0 is always white and the scale is the panel's own.
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < c; j++)
            {
                double t = double.IsNaN(v[i, j]) ? double.NaN : Math.Clamp(v[i, j] / limit, -1, 1);
                var cell = plot.Add.Rectangle(j, j + 1, r - i - 1, r - i);
                cell.FillColor = Diverging(t);
                cell.LineColor = Colors.White;
                var label = plot.Add.Text(TaskRelations.Format(v[i, j]), j + 0.5, r - i - 0.5);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = 14;
                label.LabelFontColor = Math.Abs(t) > 0.6 ? Colors.White : Colors.Black;
            }
        }

        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, c).Select(j => j + 0.5)], [.. relation.Columns]);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, r).Select(i => r - i - 0.5)], [.. relation.Rows]);
        plot.Axes.SetLimits(0, c, 0, r);
        plot.Title((title is null ? string.Empty : title + "\n") + relation.Name);
    }

    /// <summary>−1 → blue (33, 102, 172), 0 → near-white (247, 247, 247), +1 → red (178, 24, 43); NaN → grey.</summary>
    private static Color Diverging(double t)
    {
        if (double.IsNaN(t))
        {
            return new Color(200, 200, 200);
        }

        (double r, double g, double b) end = t < 0 ? (33, 102, 172) : (178, 24, 43);
        double a = Math.Abs(t);
        return new Color((byte)Math.Round(247 + ((end.r - 247) * a)), (byte)Math.Round(247 + ((end.g - 247) * a)), (byte)Math.Round(247 + ((end.b - 247) * a)));
    }
}
