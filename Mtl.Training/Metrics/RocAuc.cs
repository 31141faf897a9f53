using System.Numerics;

namespace Mtl.Training.Metrics;

/// <summary>
/// Area under the ROC curve of a binary classifier, as the Mann-Whitney statistic:
/// AUC = (R₊ − n₊(n₊+1)/2) / (n₊·n₋), where R₊ is the sum of the positives' ranks among all kept scores
/// (1-based, ascending). Tied scores share the average of their ranks, so a tie between a positive and a
/// negative counts one half, the same as the trapezoid under scikit-learn's roc_curve; all-equal scores
/// give exactly 0.5. Only the order of the scores matters: logits, probabilities or margins give the
/// same value.
/// </summary>
public static class RocAuc
{
    /// <summary>The AUC of <paramref name="scores"/> (higher means "more likely class 1") for labels 0/1.
    /// NaN when the kept rows hold only one class (the curve is undefined; scikit-learn raises there),
    /// or when no row is kept.</summary>
    /// <exception cref="ArgumentException">Lengths differ, a kept label is not 0 or 1, or a kept score is NaN.</exception>
    public static double Binary<T>(ReadOnlySpan<T> scores, ReadOnlySpan<int> labels, ReadOnlySpan<T> mask = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"RocAuc: {scores.Length} scores for {labels.Length} labels.");
        }

        MaskedRows.Check(labels.Length, mask, nameof(RocAuc));
        var kept = new List<(double Score, int Label)>(labels.Length);
        for (int i = 0; i < labels.Length; i++)
        {
            if (!MaskedRows.Counts(mask, i))
            {
                continue;
            }

            if (labels[i] is not (0 or 1))
            {
                throw new ArgumentException($"RocAuc: row {i} has label {labels[i]}; binary labels are 0 or 1.");
            }

            double s = double.CreateChecked(scores[i]);
            if (double.IsNaN(s))
            {
                throw new ArgumentException($"RocAuc: row {i} has a NaN score, which has no rank.");
            }

            kept.Add((s, labels[i]));
        }

        kept.Sort((a, b) => a.Score.CompareTo(b.Score));
        long positives = 0;
        double rankSum = 0;
        for (int start = 0; start < kept.Count;)
        {
            int end = start;
            while (end < kept.Count && kept[end].Score == kept[start].Score)
            {
                end++;
            }

            // Rows start..end-1 tie: each gets the mean of ranks start+1..end.
            double averageRank = (start + 1 + end) / 2.0;
            for (int i = start; i < end; i++)
            {
                if (kept[i].Label == 1)
                {
                    rankSum += averageRank;
                    positives++;
                }
            }

            start = end;
        }

        long negatives = kept.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (rankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }
}
