using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// Mini-batches over a dataset with a seeded shuffle per epoch. Epoch e's order is a permutation drawn
/// from a generator seeded by (seed, e) alone, so it is the same whenever epoch e is enumerated, in any
/// order and after any restart, and differs from epoch to epoch. The last, partial batch is kept
/// (smaller) or dropped by option. Batches are refilled in place: at most two <see cref="Batch{T}"/>
/// objects exist (full size and the remainder), so one epoch must be read at a time.
/// </summary>
public sealed class MiniBatcher<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ulong _seed;
    private Batch<T>? _full;
    private Batch<T>? _remainder;

    /// <summary>Creates the batcher.</summary>
    /// <param name="data">The rows to batch.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="seed">Seed of the per-epoch shuffles.</param>
    /// <param name="dropLast">Drop the last batch when it has fewer than <paramref name="batchSize"/> rows
    /// (keeps every step's gradient on the same number of rows).</param>
    /// <param name="shuffle">False visits rows in order (for evaluation).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public MiniBatcher(MultiTaskDataset<T> data, int batchSize, ulong seed, bool dropLast = false, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Data = data;
        BatchSize = batchSize;
        DropLast = dropLast;
        Shuffle = shuffle;
        _seed = seed;
    }

    /// <summary>The dataset being batched.</summary>
    public MultiTaskDataset<T> Data { get; }

    /// <summary>Rows per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether a last partial batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>Whether rows are shuffled each epoch.</summary>
    public bool Shuffle { get; }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => DropLast ? Data.Rows / BatchSize : (Data.Rows + BatchSize - 1) / BatchSize;

    /// <summary>The row order of epoch <paramref name="epoch"/>.</summary>
    public int[] EpochOrder(int epoch)
    {
        if (!Shuffle)
        {
            return [.. Enumerable.Range(0, Data.Rows)];
        }

        // SplitMix64 inside SeededRandom decorrelates nearby seeds, so seed + e·φ gives unrelated epochs.
        ulong epochSeed = unchecked(_seed + ((ulong)(uint)epoch * 0x9E3779B97F4A7C15UL));
        return new SeededRandom(epochSeed).Permutation(Data.Rows);
    }

    /// <summary>The batches of epoch <paramref name="epoch"/>; each yielded batch is overwritten by the next.</summary>
    public IEnumerable<Batch<T>> Epoch(int epoch)
    {
        int[] order = EpochOrder(epoch);
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            int start = b * BatchSize;
            int size = Math.Min(BatchSize, order.Length - start);
            var batch = size == BatchSize ? (_full ??= new Batch<T>(Data, size)) : (_remainder ??= new Batch<T>(Data, size));
            batch.Fill(Data, order.AsSpan(start, size));
            batch.Index = b;
            yield return batch;
        }
    }
}
