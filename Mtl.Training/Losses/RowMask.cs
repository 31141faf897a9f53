using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>
/// The rows of a batch a loss sees and their weights, from an optional per-sample mask [N]: rows with
/// weight 0 are dropped before any arithmetic, so whatever they hold (NaN targets of missing labels, a
/// diverged prediction) can reach neither the loss nor the gradient. A struct: a loss computes one per
/// batch, and an unmasked batch then allocates nothing.
/// </summary>
internal readonly struct RowMask<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private RowMask(int[]? rows, T[]? weights, T weightSum, int count)
    {
        Rows = rows;
        Weights = weights;
        WeightSum = weightSum;
        Count = count;
    }

    /// <summary>Indices of the kept rows, or null when every row is kept.</summary>
    public int[]? Rows { get; }

    /// <summary>Weights of the kept rows, or null when they are all 1.</summary>
    public T[]? Weights { get; }

    /// <summary>Σ wᵢ over the kept rows (their number when unweighted).</summary>
    public T WeightSum { get; }

    /// <summary>Number of kept rows.</summary>
    public int Count { get; }

    /// <summary>Validates <paramref name="mask"/> against a batch of <paramref name="rows"/> rows.</summary>
    /// <exception cref="ArgumentException">The mask is not [N], or an entry is negative or not finite.</exception>
    public static RowMask<T> From(string loss, Tensor<T>? mask, int rows)
    {
        if (mask is null)
        {
            return new RowMask<T>(null, null, T.CreateTruncating(rows), rows);
        }

        if (mask.Rank != 1 || mask.Length != rows)
        {
            throw new ArgumentException($"{loss}: the mask has shape {mask.Shape} but the batch has {rows} rows (expected [{rows}]).", nameof(mask));
        }

        // First pass: validate, count the kept rows and see whether any weight differs from 1. A full mask of
        // ones (the common case: every row labelled) then needs no arrays at all.
        int count = 0;
        bool weighted = false;
        T sum = T.Zero;
        for (int i = 0; i < rows; i++)
        {
            T w = mask[i];
            if (!T.IsFinite(w) || w < T.Zero)
            {
                throw new ArgumentException($"{loss}: mask entry {w} on row {i} is not a finite weight ≥ 0.", nameof(mask));
            }

            if (w != T.Zero)
            {
                count++;
                weighted |= w != T.One;
                sum += w;
            }
        }

        var kept = count == rows ? null : new int[count];
        var weights = weighted ? new T[count] : null;
        if (kept is not null || weights is not null)
        {
            for (int i = 0, k = 0; i < rows; i++)
            {
                T w = mask[i];
                if (w == T.Zero)
                {
                    continue;
                }

                if (kept is not null)
                {
                    kept[k] = i;
                }

                if (weights is not null)
                {
                    weights[k] = w;
                }

                k++;
            }
        }

        return new RowMask<T>(kept, weights, sum, count);
    }
}
