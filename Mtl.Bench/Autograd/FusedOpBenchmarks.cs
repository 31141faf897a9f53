using BenchmarkDotNet.Attributes;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Bench.Autograd;

/// <summary>
/// Do the fused ops pay? Ops.Linear (x·Wᵀ + b as one op) against matmul then a broadcast add, and the
/// fused cross-entropy against log-softmax, a gather of the labels' entries and a mean — forward and
/// backward each time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class FusedOpBenchmarks
{
    private Var<float> _x = null!, _w = null!, _b = null!, _logits = null!;
    private int[] _labels = null!;
    private Tensor<float> _oneHot = null!;

    [Params(64, 256)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(3);
        _x = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(Batch, 256)));
        _w = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(256, 256)), "w");
        _b = Var<float>.Parameter(Tensor.Zeros<float>(256), "b");
        _logits = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(Batch, 10)), "logits");
        _labels = Enumerable.Range(0, Batch).Select(_ => random.NextInt(10)).ToArray();
        _oneHot = new Tensor<float>(Batch, 10);
        for (int i = 0; i < Batch; i++)
        {
            _oneHot[i, _labels[i]] = 1f;
        }
    }

    [Benchmark(Baseline = true)]
    public void LinearFused() => Ops.Linear(_x, _w, _b).Sum().Backward();

    [Benchmark]
    public void LinearUnfused() => (_x.MatMulTransposeB(_w) + _b).Sum().Backward();

    [Benchmark]
    public void CrossEntropyFused() => Ops.CrossEntropy(_logits, _labels).Backward();

    [Benchmark]
    public void CrossEntropyComposed() => (-(_logits.LogSoftmax() * Var<float>.Constant(_oneHot)).Sum(1).Mean()).Backward();
}
