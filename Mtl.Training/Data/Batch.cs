using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// One mini-batch: gathered copies of the chosen rows' features, embedding indices and per-task targets
/// and masks. A <see cref="MiniBatcher{T}"/> refills the same batch object at every step so that a
/// training loop allocates nothing per step: read it before the enumeration moves on, and
/// <see cref="MultiTaskDataset{T}.Subset"/> or clone what must be kept.
/// </summary>
public sealed class Batch<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Batch(MultiTaskDataset<T> source, int size)
    {
        Features = new Tensor<T>(source.Features.Shape.WithDim(0, size));
        Embeddings = [.. source.Embeddings.Select(e => new EmbeddingColumn(e.Name, e.Categories, new int[size]))];
        Tasks = [.. source.Tasks.Select(t => t.Allocate(size))];
        SourceRows = new int[size];
    }

    /// <summary>Features of the batch rows, [B, ...].</summary>
    public Tensor<T> Features { get; }

    /// <summary>Embedding indices of the batch rows, one column per categorical embedding input.</summary>
    public IReadOnlyList<EmbeddingColumn> Embeddings { get; }

    /// <summary>Targets and masks of the batch rows, one per task.</summary>
    public IReadOnlyList<TaskTarget<T>> Tasks { get; }

    /// <summary>Which dataset rows the batch holds, in batch order.</summary>
    public int[] SourceRows { get; }

    /// <summary>B, the number of rows.</summary>
    public int Size => SourceRows.Length;

    /// <summary>The batch's position in its epoch (0-based).</summary>
    public int Index { get; internal set; }

    /// <summary>The task named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public TaskTarget<T> Task(string name)
    {
        foreach (var t in Tasks)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        throw new KeyNotFoundException($"Batch: no task named '{name}' (have: {string.Join(", ", Tasks.Select(t => t.Name))}).");
    }

    /// <summary>Refills this batch with <paramref name="rows"/> of <paramref name="source"/>.</summary>
    internal void Fill(MultiTaskDataset<T> source, ReadOnlySpan<int> rows)
    {
        rows.CopyTo(SourceRows);
        Tensor.GatherInto(source.Features, rows, Features);
        for (int i = 0; i < Embeddings.Count; i++)
        {
            source.Embeddings[i].GatherInto(rows, Embeddings[i].Indices);
        }

        for (int i = 0; i < Tasks.Count; i++)
        {
            source.Tasks[i].GatherInto(rows, Tasks[i]);
        }
    }
}
