using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;
using Mtl.Training.Optim;

namespace Mtl.Bench.Quick;

/// <summary>A train_step configuration of the quick mode: a dense trunk with three tasks, or (<paramref name="Cnn"/>)
/// the fashion example's two-head CNN on [batch, 1, 28, 56] images (In is then the pixels, Hidden the trunk's width).</summary>
internal sealed record TrainStepConfig(string Name, int Batch, int In, int Hidden, bool Cnn = false);

/// <summary>
/// One multi-task training step as the issue defines it, also used by the BenchmarkDotNet suite: trunk
/// Linear(in,h)-ReLU-Linear(h,h)-ReLU; tasks 0 and 2 a Linear(h,1) head with MSE, task 1 a Linear(h,10)
/// head with cross-entropy on integer labels; loss = sum of the three; Adam lr 1e-3. A step is
/// zero-grad, forward, backward, optimizer step, in float32.
/// </summary>
internal sealed class TrainStep
{
    private readonly MultiTaskModel<float> _model;
    private readonly Adam<float> _optimizer;
    private readonly Var<float> _x;
    private readonly Tensor<float> _y0, _y2;
    private readonly int[] _labels;
    private readonly MseLoss<float> _mse = new();
    private readonly CrossEntropyLoss<float> _crossEntropy = new();

    private readonly bool _cnn;
    private readonly int[] _rightLabels = [];

    public TrainStep(TrainStepConfig config, int seed = 0)
    {
        var random = new SeededRandom(seed);
        _cnn = config.Cnn;
        _model = _cnn ? Models.FashionCnn(random) : Models.HardSharing(config.In, config.Hidden, [("t0", 1), ("t1", 10), ("t2", 1)], random);
        _optimizer = new Adam<float>(_model.NamedParameters(), new AdamOptions { LearningRate = _cnn ? 2e-3 : 1e-3 });
        _x = Var<float>.Constant(_cnn
            ? Tensor.RandomUniform<float>(random, new Shape(config.Batch, 1, 28, 56))
            : Tensor.RandomNormal<float>(random, new Shape(config.Batch, config.In)));
        _y0 = Tensor.RandomNormal<float>(random, new Shape(config.Batch, 1));
        _y2 = Tensor.RandomNormal<float>(random, new Shape(config.Batch, 1));
        _labels = Enumerable.Range(0, config.Batch).Select(_ => random.NextInt(10)).ToArray();
        if (_cnn)
        {
            _rightLabels = Enumerable.Range(0, config.Batch).Select(_ => random.NextInt(10)).ToArray();
        }
    }

    /// <summary>The model, for inspection.</summary>
    public MultiTaskModel<float> Model => _model;

    /// <summary>Runs one step and returns the loss.</summary>
    public float Run()
    {
        _optimizer.ZeroGrad();
        var outputs = _model.Forward(_x);
        var loss = _cnn
            ? _crossEntropy.Compute(outputs["left"], _labels) + _crossEntropy.Compute(outputs["right"], _rightLabels)
            : _mse.Compute(outputs["t0"], _y0) + _crossEntropy.Compute(outputs["t1"], _labels) + _mse.Compute(outputs["t2"], _y2);
        loss.Backward();
        _optimizer.Step();
        return loss.Item();
    }
}

/// <summary>The models the benchmarks train.</summary>
internal static class Models
{
    /// <summary>The fashion example's CNN: conv 3×3×8 - relu - maxpool 2 - conv 3×3×16 - relu - maxpool 2 - flatten -
    /// linear 64 - relu, heads "left" and "right" Linear(64, 10), on [N, 1, 28, 56].</summary>
    public static MultiTaskModel<float> FashionCnn(SeededRandom random)
    {
        var trunk = new Sequential<float>(
            new Conv2d<float>(1, 8, 3, random, padding: 1), new ReLU<float>(), new MaxPool2d<float>(2),
            new Conv2d<float>(8, 16, 3, random, padding: 1), new ReLU<float>(), new MaxPool2d<float>(2),
            new Flatten<float>(),
            new Linear<float>(16 * 7 * 14, 64, random), new ReLU<float>());
        return new MultiTaskModel<float>(trunk)
            .AddHead("left", new Linear<float>(64, 10, random))
            .AddHead("right", new Linear<float>(64, 10, random));
    }

    /// <summary>Trunk Linear(in,h)-ReLU-Linear(h,h)-ReLU and one Linear(h, width) head per task.</summary>
    public static MultiTaskModel<float> HardSharing(int inputs, int hidden, IReadOnlyList<(string Task, int Width)> heads, SeededRandom random)
    {
        var trunk = new Sequential<float>(new Linear<float>(inputs, hidden, random), new ReLU<float>(), new Linear<float>(hidden, hidden, random), new ReLU<float>());
        var model = new MultiTaskModel<float>(trunk);
        foreach (var (task, width) in heads)
        {
            model.AddHead(task, new Linear<float>(hidden, width, random));
        }

        return model;
    }
}
