using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>
/// A multi-task method written outside the library as one class, using every hook: learned log-weights zₜ
/// with their own optimizer (not the trainer's), a seeded random jitter of the weights each step, the
/// per-task gradient matrix (rows rescaled to their mean norm, as gradient-normalising methods do), step and
/// epoch counters, and all of it in its saved state. It logs the hooks in the order they are called.
/// </summary>
/// <remarks>Terms: Jₜ = exp(zₜ)·(1 + 0.1·εₜ)·Lₜ with εₜ ~ N(0, 1) drawn per step; zₜ gets ∂Jₜ/∂zₜ = Jₜ and is
/// stepped by its own SGD after the trainer's step.</remarks>
internal sealed class ProbeMethod<T> : IMultiTaskMethod<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly Var<T>[] _logWeights;
    private readonly Sgd<T> _own;
    private readonly SeededRandom _random;
    private long _steps;
    private long _epochs;

    public ProbeMethod(IReadOnlyList<string> tasks, int seed, int logWeights = -1)
    {
        _tasks = [.. tasks];
        _logWeights = [.. Enumerable.Range(0, logWeights < 0 ? tasks.Count : logWeights).Select(i => Var<T>.Parameter(Tensor.Scalar(T.Zero), "z" + i))];
        _own = new Sgd<T>(_logWeights.Select((z, i) => new KeyValuePair<string, Var<T>>("z" + i, z)), new SgdOptions { LearningRate = 0.05, Momentum = 0.9 });
        _random = new SeededRandom(seed);
    }

    public string Name => "probe";

    public bool NeedsTaskGradients => true;

    /// <summary>Return a zero direction for the shared parameters (to see that it is what they get).</summary>
    public bool ZeroDirection { get; init; }

    public List<string> Log { get; } = [];

    public List<(string[] Tasks, int Length)> Matrices { get; } = [];

    public long Steps => _steps;

    public void Bind(MultiTaskSetup<T> setup) => Log.Add($"bind {string.Join(",", setup.Tasks)} {setup.SharedParameters.Count}");

    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        Log.Add("weigh");
        var terms = new TaskLoss<T>[losses.Count];
        for (int i = 0; i < losses.Count; i++)
        {
            var z = _logWeights[Array.IndexOf(_tasks, losses[i].Task)];
            double jitter = 1 + (0.1 * _random.NextNormal());
            terms[i] = new TaskLoss<T>(losses[i].Task, z.Exp() * losses[i].Loss * T.CreateTruncating(jitter));
        }

        return terms;
    }

    public double[]? CombineGradients(TaskGradientSet<T> gradients)
    {
        Log.Add("combine");
        Matrices.Add(([.. gradients.Tasks], gradients.Length));
        var d = new double[gradients.Length];
        if (ZeroDirection)
        {
            return d;
        }

        var norms = gradients.Gradients.Select(g => Math.Sqrt(g.Sum(v => v * v))).ToArray();
        double mean = norms.Average();
        for (int t = 0; t < norms.Length; t++)
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] += norms[t] == 0 ? 0 : gradients.Gradients[t][i] * mean / norms[t];
            }
        }

        return d;
    }

    public void AfterStep()
    {
        Log.Add("after");
        _own.Step();
        _own.ZeroGrad();
        _steps++;
    }

    public void EndEpoch()
    {
        Log.Add("end");
        _epochs++;
    }

    public double WeightOf(string task) => Math.Exp(double.CreateTruncating(_logWeights[Array.IndexOf(_tasks, task)].Data[0]));

    public void SaveState(MethodState state)
    {
        state.Set("random", _random);
        state.Set("steps", _steps);
        state.Set("epochs", _epochs);
        state.Set("own", _own);
    }

    public void LoadState(MethodState state)
    {
        var random = state.GetRandom("random");
        long steps = state.GetInteger("steps");
        long epochs = state.GetInteger("epochs");
        state.Restore("own", _own);
        _random.SetState(random);
        (_steps, _epochs) = (steps, epochs);
    }
}
