using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>Which constant factors <see cref="UncertaintyWeighting{T}"/> uses.</summary>
public enum UncertaintyForm
{
    /// <summary>exp(−sᵢ)·Lᵢ + sᵢ for every task, the form most reimplementations use. For a regression it is
    /// twice Kendall et al.'s term (the same optimum sᵢ* = log Lᵢ, a doubled step); for a classification the
    /// regulariser is twice Kendall's.</summary>
    Simplified,

    /// <summary>Kendall et al. 2018 exactly, with sᵢ = log σᵢ²: ½exp(−sᵢ)·Lᵢ + ½sᵢ for a regression
    /// (Eq. 7, Gaussian likelihood) and exp(−sᵢ)·Lᵢ + ½sᵢ for a classification (Eq. 10, scaled softmax).</summary>
    Kendall,
}

/// <summary>
/// Homoscedastic uncertainty weighting (Kendall, Gal &amp; Cipolla 2018): each task has a learned
/// log-variance sᵢ = log σᵢ² (a parameter the optimizer updates; learning s rather than σ keeps the
/// weight exp(−s) positive and avoids dividing by zero, §3.2) and the objective is Σ cᵢ·exp(−sᵢ)·Lᵢ + bᵢ·sᵢ.
/// In the default <see cref="UncertaintyForm.Simplified"/> form cᵢ = bᵢ = 1, so dL/dsᵢ = −exp(−sᵢ)·Lᵢ + 1
/// and the optimum is sᵢ = log Lᵢ: a task with a large loss is down-weighted.
/// </summary>
/// <remarks>Paired with a gradient combiner, each task's term cᵢ·exp(−sᵢ)·Lᵢ + bᵢ·sᵢ is one row of the per-task
/// gradients: the combiner sees the shared gradients of the weighted losses, and each sᵢ gets the same exact
/// gradient as without a combiner. The sᵢ are saved with the optimizer checkpoint (they are not part of the model).</remarks>
public sealed class UncertaintyWeighting<T> : Module<T>, ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly Var<T>[] _logVariances;
    private readonly double[] _lossFactor;
    private readonly double[] _regularizerFactor;

    /// <summary>Creates one log-variance per task, named <c>log_var_&lt;task&gt;</c>.</summary>
    /// <param name="tasks">Task names with their kinds (the kind matters for <see cref="UncertaintyForm.Kendall"/> only).</param>
    /// <param name="form">The constant factors (see <see cref="UncertaintyForm"/>).</param>
    /// <param name="initialLogVariance">The initial sᵢ (0: every weight starts at 1 in the simplified form).</param>
    public UncertaintyWeighting(IEnumerable<KeyValuePair<string, TaskKind>> tasks, UncertaintyForm form = UncertaintyForm.Simplified, double initialLogVariance = 0)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (!double.IsFinite(initialLogVariance))
        {
            throw new ArgumentOutOfRangeException(nameof(initialLogVariance), initialLogVariance, "uncertainty weighting: the initial log-variance must be finite.");
        }

        var pairs = tasks.ToArray();
        _tasks = TaskIndex.Validate("uncertainty weighting", pairs.Select(p => p.Key));
        Form = form;
        _logVariances = _tasks.Select(t => RegisterParameter("log_var_" + t, Tensor.Scalar(T.CreateTruncating(initialLogVariance)))).ToArray();
        _lossFactor = pairs.Select(p => form == UncertaintyForm.Kendall && p.Value == TaskKind.Regression ? 0.5 : 1.0).ToArray();
        _regularizerFactor = pairs.Select(_ => form == UncertaintyForm.Kendall ? 0.5 : 1.0).ToArray();
    }

    /// <summary>The constant factors in use.</summary>
    public UncertaintyForm Form { get; }

    /// <inheritdoc />
    public string Name => "uncertainty";

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The log-variances sᵢ, in task order.</summary>
    public IReadOnlyList<Var<T>> LogVariances => _logVariances;

    /// <summary>The effective weights cᵢ·exp(−sᵢ).</summary>
    public IReadOnlyList<double> Weights =>
        _logVariances.Select((s, i) => _lossFactor[i] * Math.Exp(-double.CreateTruncating(s.Data.Item()))).ToArray();

    /// <summary>Σ cᵢ·exp(−sᵢ)·Lᵢ + bᵢ·sᵢ over the given losses.</summary>
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

    /// <summary>The term cᵢ·exp(−sᵢ)·Lᵢ + bᵢ·sᵢ of each task: its gradient reaches both the loss and sᵢ.</summary>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("uncertainty weighting", _tasks, losses);
        var terms = new TaskLoss<T>[losses.Count];
        for (int i = 0; i < losses.Count; i++)
        {
            int k = at[i];
            var s = _logVariances[k];
            terms[i] = new TaskLoss<T>(losses[i].Task, ((-s).Exp() * losses[i].Loss * T.CreateTruncating(_lossFactor[k])) + (s * T.CreateTruncating(_regularizerFactor[k])));
        }

        return terms;
    }

    /// <summary>Writes the log-variances sᵢ (task order) as <c>log_var</c>.</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("log_var", [.. _logVariances.Select(s => double.CreateTruncating(s.Data[0]))]);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var values = state.GetArray("log_var", _tasks.Length);
        if (values.Any(v => !double.IsFinite(v)))
        {
            throw new InvalidDataException($"uncertainty weighting: a saved log-variance is not finite ({string.Join(", ", values)}).");
        }

        for (int i = 0; i < values.Length; i++)
        {
            _logVariances[i].Data[0] = T.CreateTruncating(values[i]);
        }
    }
}
