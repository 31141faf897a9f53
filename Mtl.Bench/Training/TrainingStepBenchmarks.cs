using BenchmarkDotNet.Attributes;
using Mtl.Autograd;
using Mtl.Bench.Quick;

namespace Mtl.Bench.Training;

/// <summary>One three-task training step (zero-grad, forward, backward, Adam) for the quick mode's
/// configurations; MemoryDiagnoser shows the steady-state allocation per step.</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class TrainingStepBenchmarks
{
    private TrainStep _step = null!;

    [Params("small", "medium", "large")]
    public string Config { get; set; } = "small";

    [GlobalSetup]
    public void Setup()
    {
        var config = Config switch
        {
            "small" => new TrainStepConfig("small", 64, 32, 64),
            "medium" => new TrainStepConfig("medium", 256, 256, 512),
            _ => new TrainStepConfig("large", 512, 1024, 2048),
        };
        _step = new TrainStep(config);
        _step.Run();
    }

    [GlobalCleanup]
    public void Cleanup() => Tape.Current.Release();

    [Benchmark]
    public float Step() => _step.Run();
}
