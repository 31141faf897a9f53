using BenchmarkDotNet.Attributes;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Bench.Kernels;

/// <summary>
/// Conv2d and MaxPool2d forward, and forward + backward, at the shapes of the fashion example's CNN step (issue 16):
/// conv 1 [64, 1, 28, 56] * [8, 1, 3, 3] (padding 1), pool 1 on [64, 8, 28, 56], conv 2 [64, 8, 14, 28] *
/// [16, 8, 3, 3], pool 2 on [64, 16, 14, 28]. The backward runs from a sum of the output, so it measures the op's
/// own backward plus one broadcast of ones.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ConvolutionBenchmarks
{
    private Var<float> _x1 = null!, _w1 = null!, _b1 = null!, _x2 = null!, _w2 = null!, _b2 = null!, _p1 = null!, _p2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(1);
        _x1 = Var<float>.Parameter(Tensor.RandomUniform<float>(random, new Shape(64, 1, 28, 56)), "x1");
        _w1 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(8, 1, 3, 3)), "w1");
        _b1 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(8)), "b1");
        _x2 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(64, 8, 14, 28)), "x2");
        _w2 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(16, 8, 3, 3)), "w2");
        _b2 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(16)), "b2");
        _p1 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(64, 8, 28, 56)), "p1");
        _p2 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(64, 16, 14, 28)), "p2");
    }

    [Benchmark]
    public void Conv1Forward()
    {
        using (Tape.NoGrad())
        {
            Ops.Conv2d(_x1, _w1, _b1, padding: (1, 1));
        }
    }

    [Benchmark]
    public void Conv1ForwardBackward() => Ops.Conv2d(_x1, _w1, _b1, padding: (1, 1)).Sum().Backward();

    [Benchmark]
    public void Conv2Forward()
    {
        using (Tape.NoGrad())
        {
            Ops.Conv2d(_x2, _w2, _b2, padding: (1, 1));
        }
    }

    [Benchmark]
    public void Conv2ForwardBackward() => Ops.Conv2d(_x2, _w2, _b2, padding: (1, 1)).Sum().Backward();

    [Benchmark]
    public void Pool1Forward()
    {
        using (Tape.NoGrad())
        {
            Ops.MaxPool2d(_p1, (2, 2));
        }
    }

    [Benchmark]
    public void Pool1ForwardBackward() => Ops.MaxPool2d(_p1, (2, 2)).Sum().Backward();

    [Benchmark]
    public void Pool2ForwardBackward() => Ops.MaxPool2d(_p2, (2, 2)).Sum().Backward();
}
