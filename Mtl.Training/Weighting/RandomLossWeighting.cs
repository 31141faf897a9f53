using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// Random loss weighting, RLW (Lin et al. 2022, "Reasonable Effectiveness of Random Weighting", with the
/// normal distribution): every step draws zₜ ~ N(0, 1) per task and weighs the losses with λ = softmax(z), so
/// the objective Σ λₜLₜ has weights on the simplex that change each step.
/// </summary>
/// <remarks>Each step draws one zₜ for every task, so the generator advances alike whatever tasks the batch has;
/// the softmax runs over the tasks present (an absent task has weight 0 and the others still sum to 1). The
/// generator and the last weights are the saved state, so a resumed run draws what an uninterrupted one would.</remarks>
public sealed class RandomLossWeighting<T> : ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly double[] _weights;
    private readonly double[] _draws;
    private readonly SeededRandom _random;

    /// <summary>Creates the weighting; before the first step every weight is 1/K.</summary>
    public RandomLossWeighting(IEnumerable<string> tasks, int seed = 0)
    {
        _tasks = TaskIndex.Validate("RLW", tasks);
        _weights = Enumerable.Repeat(1.0 / _tasks.Length, _tasks.Length).ToArray();
        _draws = new double[_tasks.Length];
        _random = new SeededRandom(seed);
    }

    /// <inheritdoc />
    public string Name => "rlw";

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The weights λₜ of the last step (0 for a task that was absent).</summary>
    public IReadOnlyList<double> Weights => _weights;

    /// <summary>Σ λₜLₜ with freshly drawn weights.</summary>
    public Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses)
    {
        var terms = Weigh(losses);
        var total = terms[0].Loss;
        for (int i = 1; i < terms.Count; i++)
        {
            total += terms[i].Loss;
        }

        return total;
    }

    /// <summary>Draws the step's weights and returns λₜLₜ per task (the weights constant).</summary>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("RLW", _tasks, losses);
        for (int i = 0; i < _draws.Length; i++)
        {
            _draws[i] = _random.NextNormal();
        }

        // softmax over the present tasks, shifted by their largest draw for stability.
        double max = at.Max(i => _draws[i]);
        double norm = at.Sum(i => Math.Exp(_draws[i] - max));
        Array.Clear(_weights);
        foreach (int i in at)
        {
            _weights[i] = Math.Exp(_draws[i] - max) / norm;
        }

        return StaticWeighting<T>.Scaled(losses, at, _weights);
    }

    /// <summary>Writes the generator as <c>random</c> and the last weights as <c>weights</c>.</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("random", _random);
        state.Set("weights", _weights);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var random = state.GetRandom("random");
        var weights = state.GetArray("weights", _tasks.Length);
        if (weights.Any(w => !(w >= 0 && w <= 1)))
        {
            throw new InvalidDataException($"RLW: a saved weight is outside [0, 1] ({string.Join(", ", weights)}).");
        }

        _random.SetState(random);
        weights.CopyTo(_weights, 0);
    }
}
