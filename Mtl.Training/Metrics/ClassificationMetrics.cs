using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Metrics;

/// <summary>
/// Classification metrics on class indices over the rows a mask keeps (an empty mask keeps all).
/// With no rows kept they are NaN.
/// </summary>
public static class ClassificationMetrics
{
    /// <summary>The arg-max class of each row of <paramref name="logits"/> [N, C] (the first on ties).</summary>
    public static int[] ArgMax<T>(Tensor<T> logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank != 2)
        {
            throw new ArgumentException($"ArgMax: logits must be [N, C], not {logits.Shape}.", nameof(logits));
        }

        int n = logits.Shape[0], c = logits.Shape[1];
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = TensorPrimitives.IndexOfMax(logits.ReadOnlySpan.Slice(i * c, c));
        }

        return result;
    }

    /// <summary>The fraction of kept rows whose predicted class is the target class.</summary>
    /// <exception cref="ArgumentException">Lengths differ.</exception>
    public static double Accuracy<T>(ReadOnlySpan<int> predicted, ReadOnlySpan<int> target, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(predicted, target, mask, nameof(Accuracy));
        int right = 0, n = 0;
        for (int i = 0; i < target.Length; i++)
        {
            if (MaskedRows.Counts(mask, i))
            {
                right += predicted[i] == target[i] ? 1 : 0;
                n++;
            }
        }

        return n == 0 ? double.NaN : (double)right / n;
    }

    /// <summary>
    /// The confusion matrix of the kept rows: entry [t, p] counts rows of target class t predicted as p.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, or a kept class is outside [0, classes).</exception>
    public static long[,] Confusion<T>(ReadOnlySpan<int> predicted, ReadOnlySpan<int> target, int classes, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Check(predicted, target, mask, nameof(Confusion));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var m = new long[classes, classes];
        for (int i = 0; i < target.Length; i++)
        {
            if (MaskedRows.Counts(mask, i))
            {
                if ((uint)target[i] >= (uint)classes || (uint)predicted[i] >= (uint)classes)
                {
                    throw new ArgumentException($"Confusion: row {i} has target {target[i]} and prediction {predicted[i]}; both must be in [0, {classes}).");
                }

                m[target[i], predicted[i]]++;
            }
        }

        return m;
    }

    /// <summary>
    /// Macro-averaged F1: the unweighted mean over classes of F1 = 2·TP / (2·TP + FP + FN). As in
    /// scikit-learn's f1_score(average="macro") with its default labels, the mean runs over the classes
    /// that occur among the kept targets or predictions; a class that is predicted but never true (or the
    /// reverse) scores 0 (zero_division=0).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, or a kept class is outside [0, classes).</exception>
    public static double MacroF1<T>(ReadOnlySpan<int> predicted, ReadOnlySpan<int> target, int classes, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = Confusion(predicted, target, classes, mask);
        double sum = 0;
        int counted = 0;
        for (int k = 0; k < classes; k++)
        {
            long tp = m[k, k], fn = 0, fp = 0;
            for (int j = 0; j < classes; j++)
            {
                fn += j == k ? 0 : m[k, j];
                fp += j == k ? 0 : m[j, k];
            }

            if (tp + fn + fp == 0)
            {
                continue;
            }

            sum += 2.0 * tp / ((2.0 * tp) + fp + fn);
            counted++;
        }

        return counted == 0 ? double.NaN : sum / counted;
    }

    /// <summary><see cref="Accuracy{T}"/> over every row (no mask, so no element type to name).</summary>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> target) => Accuracy<float>(predicted, target);

    /// <summary><see cref="MacroF1{T}"/> over every row (no mask, so no element type to name).</summary>
    public static double MacroF1(ReadOnlySpan<int> predicted, ReadOnlySpan<int> target, int classes) => MacroF1<float>(predicted, target, classes);

    /// <summary><see cref="Confusion{T}"/> over every row (no mask, so no element type to name).</summary>
    public static long[,] Confusion(ReadOnlySpan<int> predicted, ReadOnlySpan<int> target, int classes) => Confusion<float>(predicted, target, classes);

    private static void Check<T>(ReadOnlySpan<int> predicted, ReadOnlySpan<int> target, ReadOnlySpan<T> mask, string metric)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (predicted.Length != target.Length)
        {
            throw new ArgumentException($"{metric}: {predicted.Length} predictions for {target.Length} targets.");
        }

        MaskedRows.Check(target.Length, mask, metric);
    }
}
