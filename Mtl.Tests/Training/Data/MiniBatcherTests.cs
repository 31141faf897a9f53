using Mtl.Tensors;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class MiniBatcherTests
{
    /// <summary>Ten rows whose single feature is the row number, so a batch shows which rows it holds.</summary>
    private static MultiTaskDataset<float> Numbered(int rows = 10)
    {
        var x = Tensor.FromArray<float>([.. Enumerable.Range(0, rows).Select(i => (float)i)], rows, 1);
        var y = Tensor.FromArray<float>([.. Enumerable.Range(0, rows).Select(i => 100f + i)], rows, 1);
        var mask = Tensor.Ones<float>(rows);
        mask[3] = 0;
        int[] classes = [.. Enumerable.Range(0, rows).Select(i => i % 3)];
        return new MultiTaskDataset<float>(
            x,
            ["row"],
            [0],
            [new EmbeddingColumn("parity", ["even", "odd"], [.. Enumerable.Range(0, rows).Select(i => i % 2)])],
            [TaskTarget<float>.Regression("y", y, mask), TaskTarget<float>.Classification("k", classes, ["a", "b", "c"], Tensor.Ones<float>(rows))]);
    }

    private static List<int[]> Rows(MiniBatcher<float> b, int epoch) =>
        [.. b.Epoch(epoch).Select(batch => batch.Features.ToArray().Select(v => (int)v).ToArray())];

    [Test]
    public void SameSeedSameBatchesAndEveryRowOncePerEpoch()
    {
        var d = Numbered();
        var a = Rows(new MiniBatcher<float>(d, 4, seed: 5), 0);
        var b = Rows(new MiniBatcher<float>(d, 4, seed: 5), 0);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(a.Select(r => r.Length), Is.EqualTo(new[] { 4, 4, 2 }));
        Assert.That(a.SelectMany(r => r).Order(), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public void EpochsDifferAndAnEpochIsTheSameWhenRevisited()
    {
        var batcher = new MiniBatcher<float>(Numbered(), 4, seed: 5);
        var e0 = Rows(batcher, 0).SelectMany(r => r).ToArray();
        var e1 = Rows(batcher, 1).SelectMany(r => r).ToArray();
        Assert.That(e1, Is.Not.EqualTo(e0));
        Assert.That(Rows(batcher, 0).SelectMany(r => r), Is.EqualTo(e0));
        Assert.That(Rows(new MiniBatcher<float>(Numbered(), 4, seed: 6), 0).SelectMany(r => r), Is.Not.EqualTo(e0));
    }

    [Test]
    public void DropLastDropsThePartialBatch()
    {
        var batcher = new MiniBatcher<float>(Numbered(), 4, seed: 5, dropLast: true);
        Assert.That(batcher.BatchesPerEpoch, Is.EqualTo(2));
        Assert.That(Rows(batcher, 0).Select(r => r.Length), Is.EqualTo(new[] { 4, 4 }));
    }

    [Test]
    public void TargetsMasksAndEmbeddingsFollowTheirRows()
    {
        var batcher = new MiniBatcher<float>(Numbered(), 3, seed: 9);
        foreach (var batch in batcher.Epoch(2))
        {
            for (int i = 0; i < batch.Size; i++)
            {
                int row = batch.SourceRows[i];
                Assert.That(batch.Features[i, 0], Is.EqualTo((float)row));
                Assert.That(batch.Task("y").Values![i, 0], Is.EqualTo(100f + row));
                Assert.That(batch.Task("y").Mask[i], Is.EqualTo(row == 3 ? 0f : 1f));
                Assert.That(batch.Task("k").Classes![i], Is.EqualTo(row % 3));
                Assert.That(batch.Embeddings[0].Indices[i], Is.EqualTo(row % 2));
            }
        }
    }

    [Test]
    public void BatchBuffersAreReusedAcrossStepsAndEpochs()
    {
        var batcher = new MiniBatcher<float>(Numbered(), 4, seed: 1);
        var first = batcher.Epoch(0).First();
        var tensor = first.Features;
        var laterFull = batcher.Epoch(3).Skip(1).First();
        Assert.That(laterFull, Is.SameAs(first));
        Assert.That(laterFull.Features, Is.SameAs(tensor));
        Assert.That(batcher.Epoch(3).Last(), Is.Not.SameAs(first), "the short last batch has its own buffers");

        // Steady state: a whole epoch allocates only the order array and the enumerator.
        foreach (var _ in batcher.Epoch(4))
        {
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var _ in batcher.Epoch(5))
        {
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(2048), "per-step gathering reuses the batch buffers");
    }

    [Test]
    public void UnshuffledBatchesVisitRowsInOrder()
    {
        var batcher = new MiniBatcher<float>(Numbered(), 4, seed: 1, shuffle: false);
        Assert.That(Rows(batcher, 7).SelectMany(r => r), Is.EqualTo(Enumerable.Range(0, 10)));
    }
}
