using System.Numerics;

namespace Mtl.Training.Metrics;

/// <summary>The mask convention shared by every metric: an empty mask means every row counts; otherwise
/// row i counts when mask[i] is non-zero, and the mask must have one entry per row.</summary>
internal static class MaskedRows
{
    public static void Check<T>(int rows, ReadOnlySpan<T> mask, string metric)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!mask.IsEmpty && mask.Length != rows)
        {
            throw new ArgumentException($"{metric}: the mask has {mask.Length} entries for {rows} rows.");
        }
    }

    public static bool Counts<T>(ReadOnlySpan<T> mask, int row)
        where T : unmanaged, IFloatingPointIeee754<T> => mask.IsEmpty || mask[row] != T.Zero;
}
