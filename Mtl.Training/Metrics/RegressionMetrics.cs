using System.Numerics;

namespace Mtl.Training.Metrics;

/// <summary>
/// Regression metrics over the rows a mask keeps (an empty mask keeps all), accumulated in double.
/// With no rows kept every metric is NaN: there is nothing to measure, and 0 would look like a perfect fit.
/// </summary>
public static class RegressionMetrics
{
    /// <summary>Mean squared error, (1/n) Σ (ŷ − y)².</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double Mse<T>(ReadOnlySpan<T> predicted, ReadOnlySpan<T> target, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(predicted, target, mask, nameof(Mse));
        double sum = 0;
        int n = 0;
        for (int i = 0; i < target.Length; i++)
        {
            if (MaskedRows.Counts(mask, i))
            {
                double d = double.CreateChecked(predicted[i]) - double.CreateChecked(target[i]);
                sum += d * d;
                n++;
            }
        }

        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>Root mean squared error, √MSE, in the target's units.</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double Rmse<T>(ReadOnlySpan<T> predicted, ReadOnlySpan<T> target, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T> => Math.Sqrt(Mse(predicted, target, mask));

    /// <summary>Mean absolute error, (1/n) Σ |ŷ − y|.</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double Mae<T>(ReadOnlySpan<T> predicted, ReadOnlySpan<T> target, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(predicted, target, mask, nameof(Mae));
        double sum = 0;
        int n = 0;
        for (int i = 0; i < target.Length; i++)
        {
            if (MaskedRows.Counts(mask, i))
            {
                sum += Math.Abs(double.CreateChecked(predicted[i]) - double.CreateChecked(target[i]));
                n++;
            }
        }

        return n == 0 ? double.NaN : sum / n;
    }

    /// <summary>
    /// Coefficient of determination, R² = 1 − Σ(ŷ − y)² / Σ(y − ȳ)² (scikit-learn's r2_score). It is NaN
    /// when the kept targets are constant, since the ratio is then 0/0 or x/0 and no single value is right
    /// (scikit-learn substitutes 1.0 or 0.0 by default, which hides the degenerate split).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double R2<T>(ReadOnlySpan<T> predicted, ReadOnlySpan<T> target, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(predicted, target, mask, nameof(R2));
        double sum = 0;
        int n = 0;
        for (int i = 0; i < target.Length; i++)
        {
            if (MaskedRows.Counts(mask, i))
            {
                sum += double.CreateChecked(target[i]);
                n++;
            }
        }

        if (n == 0)
        {
            return double.NaN;
        }

        double mean = sum / n, residual = 0, total = 0;
        for (int i = 0; i < target.Length; i++)
        {
            if (MaskedRows.Counts(mask, i))
            {
                double y = double.CreateChecked(target[i]);
                double e = double.CreateChecked(predicted[i]) - y;
                residual += e * e;
                total += (y - mean) * (y - mean);
            }
        }

        return total == 0 ? double.NaN : 1.0 - (residual / total);
    }

    private static void Check<T>(ReadOnlySpan<T> predicted, ReadOnlySpan<T> target, ReadOnlySpan<T> mask, string metric)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (predicted.Length != target.Length)
        {
            throw new ArgumentException($"{metric}: {predicted.Length} predictions for {target.Length} targets.");
        }

        MaskedRows.Check(target.Length, mask, metric);
    }
}
