using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// A seeded partition of rows 0..N-1 into train, validation and test: disjoint, together covering every
/// row, and the same for the same (N, fractions, seed) on every machine. Each part lists its rows in
/// ascending order (the mini-batcher shuffles; sorted lists are easier to compare and inspect).
/// </summary>
public sealed class DataSplit
{
    private DataSplit(int[] train, int[] validation, int[] test)
    {
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>Training rows.</summary>
    public int[] Train { get; }

    /// <summary>Validation rows (for early stopping and model choice).</summary>
    public int[] Validation { get; }

    /// <summary>Test rows (for the final report only).</summary>
    public int[] Test { get; }

    /// <summary>
    /// Splits <paramref name="rows"/> rows: round(N·train) for training, round(N·validation) for
    /// validation, the rest for test.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is outside [0, 1] or they sum above 1.</exception>
    public static DataSplit Random(int rows, double trainFraction, double validationFraction, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (!(trainFraction is >= 0 and <= 1) || !(validationFraction is >= 0 and <= 1) || trainFraction + validationFraction > 1 + 1e-12)
        {
            throw new ArgumentOutOfRangeException(nameof(trainFraction), $"DataSplit: fractions train {trainFraction} and validation {validationFraction} must be in [0, 1] and sum to at most 1.");
        }

        int train = (int)Math.Round(rows * trainFraction, MidpointRounding.AwayFromZero);
        int validation = Math.Min(rows - train, (int)Math.Round(rows * validationFraction, MidpointRounding.AwayFromZero));
        var order = new SeededRandom(seed).Permutation(rows);
        return new DataSplit(
            Sorted(order.AsSpan(0, train)),
            Sorted(order.AsSpan(train, validation)),
            Sorted(order.AsSpan(train + validation)));
    }

    private static int[] Sorted(ReadOnlySpan<int> rows)
    {
        int[] r = rows.ToArray();
        Array.Sort(r);
        return r;
    }
}
