using Mtl.Tensors;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class TaskSamplingTests
{
    [Test]
    public void RoundRobinCyclesThroughTheTasks()
    {
        var s = new TaskSampler([5, 500, 50], TaskSampling.RoundRobin, 0);
        Assert.That(Enumerable.Range(0, 7).Select(_ => s.Next()), Is.EqualTo(new[] { 0, 1, 2, 0, 1, 2, 0 }));
    }

    [Test]
    public void ProportionalFrequenciesMatchDataSetSharesWithinBinomialNoise()
    {
        int[] sizes = [100, 300, 600];
        const int steps = 20000;
        var s = new TaskSampler(sizes, TaskSampling.Proportional, 11);
        var counts = new int[3];
        for (int i = 0; i < steps; i++)
        {
            counts[s.Next()]++;
        }

        for (int k = 0; k < 3; k++)
        {
            double p = sizes[k] / 1000.0;
            double std = Math.Sqrt(steps * p * (1 - p));
            Assert.That(counts[k], Is.EqualTo(steps * p).Within(4 * std), $"task {k}: 4 binomial standard deviations");
            Assert.That(s.Probability(k), Is.EqualTo(p).Within(1e-12));
        }
    }

    [Test]
    public void ProportionalSamplingIsReproducibleBySeed()
    {
        int[] Draw(ulong seed)
        {
            var s = new TaskSampler([1, 1], TaskSampling.Proportional, seed);
            return [.. Enumerable.Range(0, 64).Select(_ => s.Next())];
        }

        int[] first = Draw(3);
        Assert.That(Draw(3), Is.EqualTo(first));
        Assert.That(Draw(4), Is.Not.EqualTo(first));
    }

    [Test]
    public void MixerServesEachTaskItsOwnDataAndRestartsSmallDataSets()
    {
        static MultiTaskDataset<float> Source(string task, int rows, float offset)
        {
            var x = Tensor.FromArray<float>([.. Enumerable.Range(0, rows).Select(i => offset + i)], rows, 1);
            return new MultiTaskDataset<float>(x, [], [], [], [TaskTarget<float>.Regression(task, x.Clone(), Tensor.Ones<float>(rows))]);
        }

        var sources = new[] { new TaskSource<float>("small", Source("small", 4, 0)), new TaskSource<float>("large", Source("large", 40, 1000)) };
        var mixer = new TaskMixer<float>(sources, batchSize: 4, TaskSampling.RoundRobin, seed: 2);
        var steps = Enumerable.Range(0, 20).Select(_ => mixer.Next()).Select(s => (s.Task, First: s.Batch.Features[0, 0], s.Batch.Size)).ToList();
        Assert.That(steps.Where(s => s.Task == "small").All(s => s.First < 4 && s.Size == 4), Is.True);
        Assert.That(steps.Where(s => s.Task == "large").All(s => s.First >= 1000), Is.True);
        Assert.That(mixer.EpochsStarted(0), Is.EqualTo(10), "four rows per epoch: a new epoch at every small step");
        Assert.That(mixer.EpochsStarted(1), Is.EqualTo(1));

        var again = new TaskMixer<float>(sources, 4, TaskSampling.RoundRobin, 2);
        var replay = Enumerable.Range(0, 20).Select(_ => again.Next()).Select(s => (s.Task, First: s.Batch.Features[0, 0], s.Batch.Size)).ToList();
        Assert.That(replay, Is.EqualTo(steps));
    }
}
