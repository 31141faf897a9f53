using BenchmarkDotNet.Attributes;
using Mtl.Bench.Quick;

namespace Mtl.Bench.Training;

/// <summary>
/// One epoch of a hard-sharing model with T heads against one epoch of each of T single-task models
/// with the same trunk. The ratio of the two is what sharing saves.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public class SharingBenchmarks
{
    private SharingBench _shared = null!, _separate = null!;

    [Params(2, 4, 8)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _shared = new SharingBench(Tasks, shared: true);
        _separate = new SharingBench(Tasks, shared: false);
    }

    [Benchmark(Baseline = true)]
    public void SharedTrunk() => _shared.Epoch();

    [Benchmark]
    public void SeparateModels() => _separate.Epoch();
}
