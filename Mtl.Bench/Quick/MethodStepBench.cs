using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Bench.Quick;

/// <summary>A gradient-level method's configuration: the combiner (null: a plain step) and where it takes the per-task gradients.</summary>
internal sealed record MethodStepConfig(string Method, TaskGradientSpace Space)
{
    public string Label => Method == "plain" ? "plain" : $"{Method}/{(Space == TaskGradientSpace.Parameters ? "params" : "rep")}";

    public IGradientCombiner? Combiner() => Method switch
    {
        "pcgrad" => new PCGradCombiner(seed: 1),
        "mgda" => new MgdaCombiner(),
        _ => null,
    };
}

/// <summary>A method's medians: ms per step, the per-round ratio to the plain step, and bytes per steady-state step.</summary>
internal readonly record struct MethodResult(double MsPerStep, double TimesPlain, double BytesPerStep);

/// <summary>
/// What a gradient-level method costs per training step through the <see cref="Trainer{T}"/>: the medium trunk
/// (batch 256, Linear(256, 512)-ReLU-Linear(512, 512)-ReLU), T regression heads (MSE), Adam, float32; a run is a
/// Fit of <c>epochs</c> epochs of <c>steps</c> steps each (<see cref="Steps"/> unless told) over fixed random data. PCGrad and MGDA take the per-task gradients either on the
/// shared parameters (T backward passes through the trunk) or on the shared representation (T through the heads,
/// one through the trunk).
/// </summary>
internal sealed class MethodStepBench
{
    public const int Batch = 256;
    public const int Inputs = 256;
    public const int Hidden = 512;
    public const int Steps = 4;

    private readonly Trainer<float> _trainer;
    private readonly MultiTaskDataset<float> _data;

    public MethodStepBench(int tasks, MethodStepConfig config, int epochs, int steps = Steps, int seed = 0)
    {
        var random = new SeededRandom(seed);
        var names = Enumerable.Range(0, tasks).Select(t => $"task{t}").ToArray();
        var model = Models.HardSharing(Inputs, Hidden, [.. names.Select(n => (n, 1))], random);
        int rows = Batch * steps;
        var targets = names.Select(n => TaskTarget<float>.Regression(n, Tensor.RandomNormal<float>(random, new Shape(rows, 1)), Tensor.Ones<float>(rows))).ToList();
        _data = new MultiTaskDataset<float>(Tensor.RandomNormal<float>(random, new Shape(rows, Inputs)), [], [], [], targets);
        _trainer = new Trainer<float>(model, [.. names.Select(n => new TrainingTask<float>(n, new MseLoss<float>()))], new Adam<float>(model.NamedParameters()), new TrainerOptions<float>
        {
            Epochs = epochs,
            BatchSize = Batch,
            GradientCombiner = config.Combiner(),
            TaskGradients = config.Space,
        });
    }

    /// <summary>One Fit: the epochs and steps given.</summary>
    public void Run() => _trainer.Fit(_data);
}
