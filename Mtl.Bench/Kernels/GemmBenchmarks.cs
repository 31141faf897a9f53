using BenchmarkDotNet.Attributes;
using Mtl.Tensors;

namespace Mtl.Bench.Kernels;

/// <summary>
/// Square float32 C = A·B at 1 and 2 threads; GFLOP/s = 2·n³ / mean time. The PyTorch peer at the same
/// sizes is Peer/gemm_peer.py.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class GemmSquareBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params(64, 128, 256, 512, 1024, 2048)]
    public int N { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = Tensor.RandomNormal<float>(1, N, N).ToArray();
        _b = Tensor.RandomNormal<float>(2, N, N).ToArray();
        _c = new float[N * N];
        MtlThreads.Count = Threads;
    }

    [Benchmark]
    public void MultiplyNN() => Gemm.Multiply<float>(MatrixTranspose.None, MatrixTranspose.None, N, N, N, _a, _b, _c, false);
}

/// <summary>
/// Neural-network shapes (batch × in → out) in the three forms a dense layer runs: forward Y = X·W (NN),
/// dX = dY·Wᵀ (NT) and dW = Xᵀ·dY (TN), with MtlThreads at its default.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class GemmLayerBenchmarks
{
    private float[] _x = [], _w = [], _dy = [], _y = [], _dx = [], _dw = [];

    /// <summary>batch, in, out.</summary>
    [Params("64,32,64", "256,256,512", "512,1024,2048")]
    public string Shape { get; set; } = "64,32,64";

    private int _batch, _in, _out;

    [GlobalSetup]
    public void Setup()
    {
        int[] dims = Array.ConvertAll(Shape.Split(','), s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture));
        (_batch, _in, _out) = (dims[0], dims[1], dims[2]);
        MtlThreads.Count = Environment.ProcessorCount;
        _x = Tensor.RandomNormal<float>(1, _batch, _in).ToArray();
        _w = Tensor.RandomNormal<float>(2, _in, _out).ToArray();
        _dy = Tensor.RandomNormal<float>(3, _batch, _out).ToArray();
        _y = new float[_batch * _out];
        _dx = new float[_batch * _in];
        _dw = new float[_in * _out];
    }

    [Benchmark(Description = "Y = X·W (NN)")]
    public void Forward() => Gemm.Multiply<float>(MatrixTranspose.None, MatrixTranspose.None, _batch, _out, _in, _x, _w, _y, false);

    [Benchmark(Description = "dX = dY·Wᵀ (NT)")]
    public void InputGradient() => Gemm.Multiply<float>(MatrixTranspose.None, MatrixTranspose.Transpose, _batch, _in, _out, _dy, _w, _dx, false);

    [Benchmark(Description = "dW += Xᵀ·dY (TN)")]
    public void WeightGradient() => Gemm.Multiply<float>(MatrixTranspose.Transpose, MatrixTranspose.None, _in, _out, _batch, _x, _dy, _dw, true);
}
