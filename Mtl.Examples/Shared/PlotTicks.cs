using System.Globalization;
using ScottPlot;

namespace Mtl.Examples;

/// <summary>A tick on an axis: its value in data units, its label (empty for a minor tick) and whether it is major.</summary>
/// <param name="Value">Where the tick sits, in data units (not log10).</param>
/// <param name="Label">The text under the tick; empty for a minor tick.</param>
/// <param name="Major">True for a labelled tick, false for a minor one.</param>
public readonly record struct Tick(double Value, string Label, bool Major);

/// <summary>
/// Pure decisions behind the plots, kept apart from ScottPlot so they can be tested: readable log ticks
/// (decades labelled 0.01, 0.1, 1, 10, 100 and 1e-3, 1e4 beyond), whole-number epoch ticks, markers when
/// points are few, and the corner of the plot the legend covers least data in.
/// </summary>
public static class PlotTicks
{
    /// <summary>Series with at most this many points get a marker on each point.</summary>
    public const int MarkerThreshold = 30;

    /// <summary>True when a line of <paramref name="points"/> points should show markers (few points: each one is a measurement worth seeing).</summary>
    public static bool UseMarkers(int points) => points <= MarkerThreshold;

    /// <summary>The label of a value on a log axis: plain decimals from 0.01 to 1000, <c>1e-3</c> style beyond.</summary>
    public static string LogLabel(double value)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "PlotTicks.LogLabel: a log axis holds positive finite values only.");
        }

        int exponent = (int)Math.Floor(Math.Log10(value) + 1e-9);
        double mantissa = Math.Round(value / Math.Pow(10, exponent), 6);
        if (exponent is >= -2 and <= 3)
        {
            return value.ToString("G4", CultureInfo.InvariantCulture);
        }

        string m = mantissa == 1 ? "1" : mantissa.ToString("G3", CultureInfo.InvariantCulture);
        return $"{m}e{exponent.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Ticks for a log axis showing [<paramref name="min"/>, <paramref name="max"/>] (positive values): every
    /// decade when the data spans one or more (every 2nd, 3rd… when there are more than <paramref name="maxMajor"/>), with
    /// unlabelled minor ticks at 2…9 × 10ᵏ; on a narrower range 1, 2, 5 × 10ᵏ (or 1…9 × 10ᵏ) so that at least two are labelled.</summary>
    /// <exception cref="ArgumentOutOfRangeException">min is not positive, or max is below min.</exception>
    public static IReadOnlyList<Tick> Log(double min, double max, int maxMajor = 8)
    {
        if (!(min > 0) || !(max >= min) || !double.IsFinite(max))
        {
            throw new ArgumentOutOfRangeException(nameof(min), $"PlotTicks.Log: the range [{min}, {max}] is not positive and ordered.");
        }

        var (low, high) = DecadeBounds(min, max);
        var ticks = new List<Tick>();
        if (high - low >= 2)
        {
            int step = Math.Max(1, (int)Math.Ceiling((high - low + 1) / (double)maxMajor));
            for (int k = low; k <= high; k++)
            {
                double decade = Math.Pow(10, k);
                bool major = (k - low) % step == 0;
                ticks.Add(new Tick(decade, major ? LogLabel(decade) : string.Empty, major));
                for (int m = 2; m <= 9 && k < high && step == 1; m++)
                {
                    ticks.Add(new Tick(m * decade, string.Empty, false));
                }
            }

            return ticks;
        }

        foreach (int[] mantissas in (int[][])[[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]])
        {
            ticks.Clear();
            for (int k = low; k <= high; k++)
            {
                foreach (int m in mantissas)
                {
                    double v = m * Math.Pow(10, k);
                    if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9))
                    {
                        ticks.Add(new Tick(v, LogLabel(v), true));
                    }
                }
            }

            if (ticks.Count >= 2)
            {
                return ticks;
            }
        }

        // A very narrow range: its ends, labelled with enough digits to tell them apart.
        return [new Tick(min, min.ToString("G4", CultureInfo.InvariantCulture), true), new Tick(max, max.ToString("G4", CultureInfo.InvariantCulture), true)];
    }

    /// <summary>The decades k with 10ᵏ ≤ min and max ≤ 10ᵏ′ (the axis limits of a log plot spanning decades).</summary>
    public static (int Low, int High) DecadeBounds(double min, double max) =>
        ((int)Math.Floor(Math.Log10(min) + 1e-9), (int)Math.Ceiling(Math.Log10(max) - 1e-9));

    /// <summary>Whole-number ticks (epochs) over [<paramref name="min"/>, <paramref name="max"/>]: multiples of a step from
    /// 1, 2, 5, 10, 20, 50… chosen so there are at most <paramref name="maxTicks"/>, plus <paramref name="min"/> itself when it
    /// lies well before the first multiple (so epoch 1 is labelled).</summary>
    /// <exception cref="ArgumentOutOfRangeException">max is below min, or maxTicks is below 2.</exception>
    public static IReadOnlyList<int> Integers(int min, int max, int maxTicks = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTicks, 2);
        long step = 1;
        for (int i = 0; ; i++)
        {
            var ticks = IntegerTicks(min, max, step);
            if (ticks.Count <= maxTicks)
            {
                return ticks;
            }

            step = (i % 3) switch { 0 => step * 2, 1 => step / 2 * 5, _ => step * 2 };
        }
    }

    private static List<int> IntegerTicks(int min, int max, long step)
    {
        var ticks = new List<int>();
        long first = (long)Math.Ceiling(min / (double)step) * step;
        if (first - min >= step / 2.0)
        {
            ticks.Add(min);
        }

        for (long v = first; v <= max; v += step)
        {
            ticks.Add((int)v);
        }

        return ticks;
    }

    /// <summary>True when every value is a whole number (an epoch axis).</summary>
    public static bool AllIntegers(IEnumerable<double> values) => values.All(v => double.IsFinite(v) && v == Math.Round(v));

    /// <summary>The corner whose box (<paramref name="fraction"/> of the width and height) holds the fewest data points,
    /// preferring upper right, upper left, lower right, lower left on a tie; points are in data units inside the limits.</summary>
    public static Alignment LegendCorner(IEnumerable<(double X, double Y)> points, double xMin, double xMax, double yMin, double yMax, double fraction = 0.4)
    {
        ArgumentNullException.ThrowIfNull(points);
        double w = xMax - xMin, h = yMax - yMin;
        var corners = new[] { Alignment.UpperRight, Alignment.UpperLeft, Alignment.LowerRight, Alignment.LowerLeft };
        var counts = new int[corners.Length];
        foreach (var (x, y) in points)
        {
            if (!double.IsFinite(x) || !double.IsFinite(y) || w <= 0 || h <= 0)
            {
                continue;
            }

            double u = (x - xMin) / w, v = (y - yMin) / h;
            bool right = u >= 1 - fraction, left = u <= fraction, top = v >= 1 - fraction, bottom = v <= fraction;
            counts[0] += right && top ? 1 : 0;
            counts[1] += left && top ? 1 : 0;
            counts[2] += right && bottom ? 1 : 0;
            counts[3] += left && bottom ? 1 : 0;
        }

        int best = 0;
        for (int i = 1; i < counts.Length; i++)
        {
            best = counts[i] < counts[best] ? i : best;
        }

        return corners[best];
    }
}
