using System.Numerics;
using Mtl.Tensors;
using Mtl.Training.Data;

namespace Mtl.Training.Metrics;

/// <summary>Metrics of a task's predictions against its <see cref="TaskTarget{T}"/>, honouring its mask.</summary>
public static class TaskMetrics
{
    /// <summary>Regression metrics; with <paramref name="targetScaler"/> the predictions are mapped back
    /// through its inverse first, so that they are compared with targets in the original units.</summary>
    /// <param name="target">The task's targets and mask in original units.</param>
    /// <param name="predictions">[N, 1] predictions (standardised when a scaler is given).</param>
    /// <param name="targetScaler">The standardiser the model's targets were scaled with, or null.</param>
    /// <exception cref="ArgumentException">The task is not regression, or the shapes disagree.</exception>
    public static RegressionReport Regression<T>(TaskTarget<T> target, Tensor<T> predictions, Standardizer<T>? targetScaler = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(predictions);
        if (target.Values is null)
        {
            throw new ArgumentException($"TaskMetrics: task '{target.Name}' is {target.Kind}, not regression.", nameof(target));
        }

        var p = targetScaler is null ? predictions : targetScaler.InverseTransform(predictions.Reshape(predictions.Length, 1));
        var y = target.Values.ReadOnlySpan;
        var m = target.Mask.ReadOnlySpan;
        return new RegressionReport(
            target.Name,
            target.PresentCount,
            RegressionMetrics.Mse(p.ReadOnlySpan, y, m),
            RegressionMetrics.Rmse(p.ReadOnlySpan, y, m),
            RegressionMetrics.Mae(p.ReadOnlySpan, y, m),
            RegressionMetrics.R2(p.ReadOnlySpan, y, m));
    }

    /// <summary>Classification metrics from <paramref name="logits"/> [N, C]; for C = 2 the AUC ranks rows
    /// by the logit margin z₁ − z₀ (monotone in the class-1 probability, so the same ranking).</summary>
    /// <exception cref="ArgumentException">The task is not classification, or the shapes disagree.</exception>
    public static ClassificationReport Classification<T>(TaskTarget<T> target, Tensor<T> logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(logits);
        if (target.Classes is null)
        {
            throw new ArgumentException($"TaskMetrics: task '{target.Name}' is {target.Kind}, not classification.", nameof(target));
        }

        int classes = target.ClassNames.Count;
        if (logits.Rank != 2 || logits.Shape[0] != target.Rows || logits.Shape[1] != classes)
        {
            throw new ArgumentException($"TaskMetrics: logits {logits.Shape} for task '{target.Name}' with {target.Rows} rows and {classes} classes.", nameof(logits));
        }

        int[] predicted = ClassificationMetrics.ArgMax(logits);
        var m = target.Mask.ReadOnlySpan;
        double auc = double.NaN;
        if (classes == 2)
        {
            var margin = new T[target.Rows];
            for (int i = 0; i < margin.Length; i++)
            {
                margin[i] = logits[i, 1] - logits[i, 0];
            }

            auc = RocAuc.Binary<T>(margin, target.Classes, m);
        }

        return new ClassificationReport(
            target.Name,
            target.PresentCount,
            ClassificationMetrics.Accuracy(predicted, target.Classes, m),
            ClassificationMetrics.MacroF1(predicted, target.Classes, classes, m),
            auc);
    }

    /// <summary>Per-attribute accuracy, F1 and ROC-AUC of a multi-label task from its logits [N, K], each
    /// attribute over the rows where it is known (its attribute mask, within the row mask).</summary>
    /// <exception cref="ArgumentException">The task is not multi-label, or the shapes disagree.</exception>
    public static MultiLabelReport MultiLabel<T>(TaskTarget<T> target, Tensor<T> logits)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(logits);
        if (target.Kind != TaskKind.MultiLabel)
        {
            throw new ArgumentException($"TaskMetrics: task '{target.Name}' is {target.Kind}, not multi-label.", nameof(target));
        }

        int n = target.Rows, k = target.Width;
        if (logits.Rank != 2 || logits.Shape[0] != n || logits.Shape[1] != k)
        {
            throw new ArgumentException($"TaskMetrics: logits {logits.Shape} for multi-label task '{target.Name}' with {n} rows and {k} attributes.", nameof(logits));
        }

        var values = target.Values!;
        var reports = new AttributeReport[k];
        var scores = new T[n];
        var labels = new int[n];
        var known = new T[n];
        for (int a = 0; a < k; a++)
        {
            long tp = 0, fp = 0, fn = 0, right = 0, count = 0, positives = 0;
            for (int i = 0; i < n; i++)
            {
                bool isKnown = target.Mask[i] != T.Zero && (target.AttributeMask is null || target.AttributeMask[i, a] != T.Zero);
                known[i] = isKnown ? T.One : T.Zero;
                scores[i] = logits[i, a];
                labels[i] = isKnown && values[i, a] == T.One ? 1 : 0;
                if (!isKnown)
                {
                    continue;
                }

                bool predicted = logits[i, a] > T.Zero, actual = labels[i] == 1;
                count++;
                positives += actual ? 1 : 0;
                right += predicted == actual ? 1 : 0;
                tp += predicted && actual ? 1 : 0;
                fp += predicted && !actual ? 1 : 0;
                fn += !predicted && actual ? 1 : 0;
            }

            double f1 = tp + fp + fn == 0 ? 0 : 2.0 * tp / ((2.0 * tp) + fp + fn);
            double auc = count == 0 ? double.NaN : RocAuc.Binary<T>(scores, labels, known);
            reports[a] = new AttributeReport(target.ClassNames[a], (int)count, (int)positives, count == 0 ? double.NaN : (double)right / count, count == 0 ? double.NaN : f1, auc);
        }

        return new MultiLabelReport(target.Name, target.PresentCount, reports);
    }
}
