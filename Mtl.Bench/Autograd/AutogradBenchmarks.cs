using BenchmarkDotNet.Attributes;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Bench.Autograd;

/// <summary>
/// The tape's own cost: recording and differentiating small graphs, where the arithmetic is negligible
/// and what is measured is per-op overhead (node creation, pooled buffers, the reverse walk).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class AutogradBenchmarks
{
    private Var<float> _x = null!, _w = null!, _b = null!, _scalar = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(2);
        _x = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(4, 8)));
        _w = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(8, 8)), "w");
        _b = Var<float>.Parameter(Tensor.Zeros<float>(8), "b");
        _scalar = Var<float>.Parameter(Tensor.Scalar(0.5f), "s");
    }

    /// <summary>Ten scalar ops forward and backward: almost pure overhead.</summary>
    [Benchmark]
    public float ScalarChain()
    {
        var y = _scalar;
        for (int i = 0; i < 5; i++)
        {
            y = (y * 1.01f).Tanh();
        }

        y.Backward();
        return _scalar.Grad![0];
    }

    /// <summary>A tiny two-layer MLP (4×8): linear, relu, linear, square, mean, backward.</summary>
    [Benchmark]
    public float TinyMlp()
    {
        var h = Ops.Linear(_x, _w, _b).Relu();
        var loss = Ops.Linear(h, _w, _b).Square().Mean();
        loss.Backward();
        return _w.Grad![0];
    }

    /// <summary>Recording only, under no-grad (evaluation).</summary>
    [Benchmark]
    public float TinyMlpNoGrad()
    {
        using (Tape.NoGrad())
        {
            var h = Ops.Linear(_x, _w, _b).Relu();
            return Ops.Linear(h, _w, _b).Square().Mean().Item();
        }
    }
}
