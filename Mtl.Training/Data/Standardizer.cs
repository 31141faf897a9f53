using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// z-score standardisation of chosen columns of an [N, F] matrix: z = (x − μ) / σ with μ and σ the
/// column mean and population standard deviation (divisor N, as scikit-learn's StandardScaler) of the
/// data it was fitted on. Fit it on the training split only and apply it unchanged to validation and
/// test, or the held-out rows leak into the statistics. A constant column (σ = 0) would divide by zero;
/// its σ is set to 1 (so it maps to 0) and its name is listed in <see cref="ConstantColumns"/>.
/// Statistics are kept in double and are public so that a checkpoint can save and restore them.
/// </summary>
public sealed class Standardizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Restores a standardiser from saved statistics.</summary>
    /// <param name="featureCount">F, the width of the matrices it applies to.</param>
    /// <param name="columns">The scaled columns.</param>
    /// <param name="mean">μ per scaled column.</param>
    /// <param name="std">σ per scaled column (positive and finite).</param>
    /// <param name="constantColumns">Names of columns whose σ was 0 when fitted (for reporting).</param>
    /// <exception cref="ArgumentException">Lengths disagree, a column is out of range, or a σ is not positive.</exception>
    public Standardizer(int featureCount, IReadOnlyList<int> columns, IReadOnlyList<double> mean, IReadOnlyList<double> std, IReadOnlyList<string>? constantColumns = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Count != columns.Count || std.Count != columns.Count)
        {
            throw new ArgumentException($"Standardizer: {columns.Count} columns but {mean.Count} means and {std.Count} deviations.");
        }

        for (int i = 0; i < columns.Count; i++)
        {
            if ((uint)columns[i] >= (uint)featureCount)
            {
                throw new ArgumentException($"Standardizer: column {columns[i]} is outside [0, {featureCount}).", nameof(columns));
            }

            if (!(std[i] > 0) || !double.IsFinite(std[i]) || !double.IsFinite(mean[i]))
            {
                throw new ArgumentException($"Standardizer: column {columns[i]} has mean {mean[i]} and deviation {std[i]}; both must be finite and the deviation positive.", nameof(std));
            }
        }

        FeatureCount = featureCount;
        Columns = [.. columns];
        Mean = [.. mean];
        Std = [.. std];
        ConstantColumns = constantColumns is null ? [] : [.. constantColumns];
    }

    /// <summary>F, the width of the matrices this applies to.</summary>
    public int FeatureCount { get; }

    /// <summary>The scaled columns; the others pass through unchanged.</summary>
    public IReadOnlyList<int> Columns { get; }

    /// <summary>μ per scaled column.</summary>
    public IReadOnlyList<double> Mean { get; }

    /// <summary>σ per scaled column (1 for a column that was constant).</summary>
    public IReadOnlyList<double> Std { get; }

    /// <summary>Names of scaled columns that were constant when fitted (their σ was replaced by 1).</summary>
    public IReadOnlyList<string> ConstantColumns { get; }

    /// <summary>Fits μ and σ of <paramref name="columns"/> of <paramref name="x"/> [N, F].</summary>
    /// <param name="x">The training data.</param>
    /// <param name="columns">Which columns to scale.</param>
    /// <param name="names">Column names for reporting constant columns; null uses the indices.</param>
    /// <param name="rowMask">Optional [N] mask: only rows with a non-zero mask count (masked targets).</param>
    /// <exception cref="ArgumentException">x is not [N, F], or no row is present.</exception>
    public static Standardizer<T> Fit(Tensor<T> x, IReadOnlyList<int> columns, IReadOnlyList<string>? names = null, Tensor<T>? rowMask = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(columns);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"Standardizer.Fit: x must be [N, F], not {x.Shape}.", nameof(x));
        }

        int n = x.Shape[0], f = x.Shape[1];
        if (rowMask is not null && rowMask.Length != n)
        {
            throw new ArgumentException($"Standardizer.Fit: a mask of {rowMask.Length} for {n} rows.", nameof(rowMask));
        }

        var mean = new double[columns.Count];
        var std = new double[columns.Count];
        var constant = new List<string>();
        var xs = x.ReadOnlySpan;
        for (int k = 0; k < columns.Count; k++)
        {
            int c = columns[k];
            if ((uint)c >= (uint)f)
            {
                throw new ArgumentException($"Standardizer.Fit: column {c} is outside [0, {f}).", nameof(columns));
            }

            // Two passes in double: the one-pass Σx² − (Σx)²/N cancels catastrophically when |μ| ≫ σ.
            double sum = 0;
            int count = 0;
            bool isConstant = true;
            double first = double.NaN;
            for (int i = 0; i < n; i++)
            {
                if (rowMask is null || rowMask[i] != T.Zero)
                {
                    double v = double.CreateChecked(xs[(i * f) + c]);
                    first = count == 0 ? v : first;
                    isConstant &= v == first;
                    sum += v;
                    count++;
                }
            }

            if (count == 0)
            {
                throw new ArgumentException($"Standardizer.Fit: no rows to fit column {Name(names, c)} on.", nameof(x));
            }

            double mu = sum / count, squares = 0;
            for (int i = 0; i < n; i++)
            {
                if (rowMask is null || rowMask[i] != T.Zero)
                {
                    double d = double.CreateChecked(xs[(i * f) + c]) - mu;
                    squares += d * d;
                }
            }

            // Exact constancy rather than σ == 0: the rounded mean of equal values need not equal them,
            // leaving a σ of ~1e-17 that would blow the column up instead of zeroing it.
            mean[k] = isConstant ? first : mu;
            std[k] = isConstant ? 1.0 : Math.Sqrt(squares / count);
            if (isConstant)
            {
                constant.Add(Name(names, c));
            }
        }

        return new Standardizer<T>(f, columns, mean, std, constant);
    }

    /// <summary>z = (x − μ) / σ on the scaled columns, as a new tensor.</summary>
    public Tensor<T> Transform(Tensor<T> x)
    {
        var y = CheckedClone(x);
        TransformInPlace(y);
        return y;
    }

    /// <summary>x = z·σ + μ on the scaled columns, as a new tensor (predictions back to the original units).</summary>
    public Tensor<T> InverseTransform(Tensor<T> z)
    {
        var y = CheckedClone(z);
        InverseTransformInPlace(y);
        return y;
    }

    /// <summary>Standardises <paramref name="x"/> [N, F] in place.</summary>
    public void TransformInPlace(Tensor<T> x) => Apply(x, inverse: false);

    /// <summary>Undoes <see cref="TransformInPlace"/> on <paramref name="z"/> [N, F].</summary>
    public void InverseTransformInPlace(Tensor<T> z) => Apply(z, inverse: true);

    private void Apply(Tensor<T> x, bool inverse)
    {
        Check(x);
        var s = x.Span;
        int n = x.Shape[0];
        for (int k = 0; k < Columns.Count; k++)
        {
            int c = Columns[k];
            double mu = Mean[k], sigma = Std[k];
            for (int i = 0; i < n; i++)
            {
                ref T v = ref s[(i * FeatureCount) + c];
                double d = double.CreateChecked(v);
                v = T.CreateChecked(inverse ? (d * sigma) + mu : (d - mu) / sigma);
            }
        }
    }

    private Tensor<T> CheckedClone(Tensor<T> x)
    {
        Check(x);
        return x.Clone();
    }

    private void Check(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Shape[1] != FeatureCount)
        {
            throw new ArgumentException($"Standardizer: fitted on {FeatureCount} columns, given {x.Shape}.", nameof(x));
        }
    }

    private static string Name(IReadOnlyList<string>? names, int column) =>
        names is not null && column < names.Count ? names[column] : column.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
