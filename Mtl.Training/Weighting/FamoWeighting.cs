using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// FAMO, fast adaptive multitask optimization (Liu, Liu, Stone &amp; Liu 2023): task weights z = softmax(ξ)
/// from learned logits ξ, and the objective Σₜ (zₜ/c)·ln Lₜ with c = Σₜ zₜ/Lₜ (held constant), whose gradient
/// Σₜ zₜ/(c·Lₜ)·∇Lₜ has weights summing to 1. After a step the logits move so that the tasks whose log-loss fell
/// least gain weight: with δₜ = ln Lₜ(before) − ln Lₜ(after), ξ descends ∇_ξ ⟨softmax(ξ), δ⟩ = z ⊙ (δ − ⟨z, δ⟩)
/// plus the decay γξ, by Adam (β = 0.9, 0.999, ε = 10⁻⁸) with rate η. As in the reference implementation each
/// Lₜ is shifted by 10⁻⁸ (Lₜ − 0 + 10⁻⁸, the minimum losses taken as 0).
/// </summary>
/// <remarks>
/// <para>The reference implementation measures Lₜ(after) on the same batch after the step, at the cost of a second
/// forward pass. Here Lₜ(after) is the next step's loss (on the next batch), and the logits are updated when that
/// step weighs its losses: the loss change then carries the batches' noise, but costs nothing. Only tasks in
/// both steps take part in δ (the others have δₜ = 0).</para>
/// <para>The logits are updated by the method's own Adam, not the trainer's optimizer; the logits, the Adam moments
/// and step count, and the previous step's log-losses are the saved state, so a resumed run continues bit for bit.</para>
/// </remarks>
public sealed class FamoWeighting<T> : ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const double Shift = 1e-8;
    private const double Beta1 = 0.9;
    private const double Beta2 = 0.999;
    private const double Epsilon = 1e-8;

    private readonly string[] _tasks;
    private readonly double[] _logits;
    private readonly double[] _m;
    private readonly double[] _v;
    private readonly double[] _previous;
    private long _steps;

    /// <summary>Creates the method with ξ = 0 (equal weights).</summary>
    /// <param name="tasks">The tasks.</param>
    /// <param name="learningRate">η &gt; 0, Adam's rate on the logits (the reference uses 0.025).</param>
    /// <param name="decay">γ ≥ 0, the L2 decay of the logits (LibMTL's default 10⁻³).</param>
    public FamoWeighting(IEnumerable<string> tasks, double learningRate = 0.025, double decay = 1e-3)
    {
        _tasks = TaskIndex.Validate("FAMO", tasks);
        if (!(learningRate > 0) || !double.IsFinite(learningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "FAMO: the logits' learning rate must be a finite number > 0.");
        }

        if (!(decay >= 0) || !double.IsFinite(decay))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "FAMO: the decay must be a finite number ≥ 0.");
        }

        LearningRate = learningRate;
        Decay = decay;
        int k = _tasks.Length;
        _logits = new double[k];
        _m = new double[k];
        _v = new double[k];
        _previous = Enumerable.Repeat(double.NaN, k).ToArray();
    }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>γ.</summary>
    public double Decay { get; }

    /// <inheritdoc />
    public string Name => "famo";

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The logits ξ.</summary>
    public IReadOnlyList<double> Logits => _logits;

    /// <summary>z = softmax(ξ).</summary>
    public IReadOnlyList<double> Weights => Softmax(_logits);

    /// <summary>Σₜ Jₜ of <see cref="Weigh"/> (updating the logits from the previous step's losses first).</summary>
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

    /// <summary>
    /// Updates the logits from the change of the log-losses since the previous step, then returns
    /// Jₜ = (zₜ/c)·ln(Lₜ + 10⁻⁸) with c = Σ zₜ/(Lₜ + 10⁻⁸) over the tasks present (z and c constant).
    /// </summary>
    /// <exception cref="InvalidOperationException">A loss is not finite, or so negative that Lₜ + 10⁻⁸ ≤ 0.</exception>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("FAMO", _tasks, losses);
        var shifted = new double[losses.Count];
        for (int i = 0; i < shifted.Length; i++)
        {
            shifted[i] = double.CreateTruncating(losses[i].Loss.Item()) + Shift;
            if (!(shifted[i] > 0) || !double.IsFinite(shifted[i]))
            {
                throw new InvalidOperationException($"FAMO: the loss of task '{losses[i].Task}' is {shifted[i] - Shift}; the log-loss needs a finite loss > −10⁻⁸.");
            }
        }

        var delta = new double[_tasks.Length];
        bool any = false;
        for (int i = 0; i < at.Length; i++)
        {
            if (!double.IsNaN(_previous[at[i]]))
            {
                delta[at[i]] = _previous[at[i]] - Math.Log(shifted[i]);
                any = true;
            }
        }

        if (any)
        {
            UpdateLogits(delta);
        }

        Array.Fill(_previous, double.NaN);
        var z = Softmax(_logits);
        double c = 0;
        for (int i = 0; i < at.Length; i++)
        {
            _previous[at[i]] = Math.Log(shifted[i]);
            c += z[at[i]] / shifted[i];
        }

        var terms = new TaskLoss<T>[losses.Count];
        for (int i = 0; i < terms.Length; i++)
        {
            terms[i] = new TaskLoss<T>(losses[i].Task, (losses[i].Loss + T.CreateTruncating(Shift)).Log() * T.CreateTruncating(z[at[i]] / c));
        }

        return terms;
    }

    /// <summary>One Adam step on ξ with the gradient z ⊙ (δ − ⟨z, δ⟩) + γξ (PyTorch's Adam with weight_decay).</summary>
    private void UpdateLogits(double[] delta)
    {
        var z = Softmax(_logits);
        double mean = 0;
        for (int i = 0; i < z.Length; i++)
        {
            mean += z[i] * delta[i];
        }

        _steps++;
        double correction1 = 1 - Math.Pow(Beta1, _steps), correction2 = 1 - Math.Pow(Beta2, _steps);
        for (int i = 0; i < z.Length; i++)
        {
            double g = (z[i] * (delta[i] - mean)) + (Decay * _logits[i]);
            _m[i] = (Beta1 * _m[i]) + ((1 - Beta1) * g);
            _v[i] = (Beta2 * _v[i]) + ((1 - Beta2) * g * g);
            _logits[i] -= LearningRate * (_m[i] / correction1) / (Math.Sqrt(_v[i] / correction2) + Epsilon);
        }
    }

    private static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    /// <summary>Writes the logits, the Adam moments <c>m</c> and <c>v</c>, the Adam step count <c>steps</c> and the
    /// previous step's log-losses <c>previous</c> (NaN for a task absent from it).</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("logits", _logits);
        state.Set("m", _m);
        state.Set("v", _v);
        state.Set("steps", _steps);
        state.Set("previous", _previous);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int k = _tasks.Length;
        var logits = state.GetArray("logits", k);
        var m = state.GetArray("m", k);
        var v = state.GetArray("v", k);
        long steps = state.GetInteger("steps");
        var previous = state.GetArray("previous", k);
        if (steps < 0 || logits.Concat(m).Any(x => !double.IsFinite(x)) || v.Any(x => !(x >= 0) || !double.IsFinite(x)) || previous.Any(double.IsInfinity))
        {
            throw new InvalidDataException($"FAMO: the saved logits ({string.Join(", ", logits)}), Adam state or previous log-losses are not valid.");
        }

        logits.CopyTo(_logits, 0);
        m.CopyTo(_m, 0);
        v.CopyTo(_v, 0);
        _steps = steps;
        previous.CopyTo(_previous, 0);
    }
}
