using BenchmarkDotNet.Attributes;
using Mtl.Tensors;

namespace Mtl.Bench.Kernels;

/// <summary>Element-wise, broadcast and softmax kernels at lengths that exercise the SIMD remainder
/// (6·512+7 is not a multiple of any vector width).</summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ElementwiseBenchmarks
{
    private Tensor<float> _x = null!, _y = null!, _dst = null!, _row = null!, _matrix = null!, _matrixDst = null!;

    [Params(7, 6 * 512 + 7, 65_543)]
    public int Length { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new SeededRandom(1);
        _x = Tensor.RandomNormal<float>(random, new Shape(Length));
        _y = Tensor.RandomNormal<float>(random, new Shape(Length));
        _dst = new Tensor<float>(Length);
        _row = Tensor.RandomNormal<float>(random, new Shape(Length));
        _matrix = Tensor.RandomNormal<float>(random, new Shape(8, Length));
        _matrixDst = new Tensor<float>(8, Length);
    }

    [Benchmark]
    public void Add() => Tensor.Add(_x, _y, _dst);

    [Benchmark]
    public void Relu() => Tensor.Relu(_x, _dst);

    [Benchmark]
    public void Exp() => Tensor.Exp(_x, _dst);

    [Benchmark]
    public void Tanh() => Tensor.Tanh(_x, _dst);

    [Benchmark]
    public void AddRowBroadcast() => Tensor.Add(_matrix, _row, _matrixDst);

    [Benchmark]
    public void Softmax() => Tensor.Softmax(_matrix, _matrixDst);

    [Benchmark]
    public void LogSoftmax() => Tensor.LogSoftmax(_matrix, _matrixDst);

    [Benchmark]
    public float Sum() => Tensor.Sum(_x);
}
