using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;
using Mtl.Training.Optim;

namespace Mtl.Bench.Quick;

/// <summary>
/// Does sharing a trunk save compute? One epoch of one hard-sharing model with T regression heads,
/// against one epoch of each of T single-task models with the same trunk (the alternative a user would
/// train), on the same data and batches. Adam, MSE, float32.
/// </summary>
internal sealed class SharingBench
{
    public const int Rows = 2048;
    public const int Inputs = 32;
    public const int Hidden = 128;
    public const int Batch = 64;

    private readonly List<(MultiTaskModel<float> Model, Adam<float> Optimizer, string[] Tasks)> _runs = [];
    private readonly Var<float>[] _batches;
    private readonly Tensor<float>[][] _targets;
    private readonly MseLoss<float> _mse = new();

    public SharingBench(int tasks, bool shared, int seed = 0)
    {
        var random = new SeededRandom(seed);
        var names = Enumerable.Range(0, tasks).Select(t => $"task{t}").ToArray();
        if (shared)
        {
            var model = Models.HardSharing(Inputs, Hidden, names.Select(n => (n, 1)).ToList(), random);
            _runs.Add((model, new Adam<float>(model.NamedParameters()), names));
        }
        else
        {
            foreach (var name in names)
            {
                var model = Models.HardSharing(Inputs, Hidden, [(name, 1)], random);
                _runs.Add((model, new Adam<float>(model.NamedParameters()), [name]));
            }
        }

        int steps = Rows / Batch;
        _batches = new Var<float>[steps];
        _targets = new Tensor<float>[steps][];
        for (int s = 0; s < steps; s++)
        {
            _batches[s] = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(Batch, Inputs)));
            _targets[s] = names.Select(_ => Tensor.RandomNormal<float>(random, new Shape(Batch, 1))).ToArray();
        }
    }

    /// <summary>One epoch over every model of this configuration.</summary>
    public void Epoch()
    {
        foreach (var (model, optimizer, tasks) in _runs)
        {
            for (int s = 0; s < _batches.Length; s++)
            {
                optimizer.ZeroGrad();
                var outputs = model.Forward(_batches[s]);
                Var<float>? loss = null;
                foreach (var task in tasks)
                {
                    int t = int.Parse(task.AsSpan(4), System.Globalization.CultureInfo.InvariantCulture);
                    var l = _mse.Compute(outputs[task], _targets[s][t]);
                    loss = loss is null ? l : loss + l;
                }

                loss!.Backward();
                optimizer.Step();
            }
        }
    }
}
