using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// GradNorm (Chen et al. 2018): learnable task weights wᵢ (parameters named <c>weight_&lt;task&gt;</c>, the
/// optimizer updates them) tuned so that the weighted tasks train at similar rates. With G_W⁽ⁱ⁾ = ‖∇_W wᵢLᵢ‖
/// the gradient norm of the weighted loss on the last shared layer's weights W, Ḡ_W its mean over tasks,
/// L̃ᵢ = Lᵢ(t)/Lᵢ(0) the loss ratio and rᵢ = L̃ᵢ / mean L̃ the relative inverse training rate, the weights
/// minimise L_grad = Σᵢ |G_W⁽ⁱ⁾ − Ḡ_W·rᵢ^α| (Eq. 2) with the target Ḡ_W·rᵢ^α held constant, after which they
/// are renormalised to Σwᵢ = K. The network itself is trained on Σ wᵢLᵢ with the weights as constants.
/// </summary>
/// <remarks>
/// <para>A step, with <see cref="TaskGradients{T}"/> supplying the gradient norms:</para>
/// <code>
/// var weighted = gradNorm.Weigh(losses);                       // wᵢ·Lᵢ, wᵢ constant
/// var grads = TaskGradients&lt;T&gt;.Compute(weighted, shared);   // heads get wᵢ∇Lᵢ
/// gradNorm.Step(grads, lastSharedWeight);                      // ∂L_grad/∂wᵢ into wᵢ.Grad
/// grads.Apply(new SumCombiner());                              // or another combiner
/// optimizer.Step(); gradNorm.Renormalize();
/// </code>
/// <para>In a trainer the same happens through <see cref="IMultiTaskMethod{T}"/>: <see cref="Weigh"/>, the per-task
/// gradients, <see cref="CombineGradients"/> (the update of the weights, on the last shared weight matrix found by
/// <see cref="Bind"/>), the combiner or the sum, the optimizer, <see cref="AfterStep"/> (the renormalisation).
/// A task with no labelled rows in a batch sits the step out: the means Ḡ_W and mean L̃ are over the tasks present,
/// and Lᵢ(0) is a task's loss at its first step.</para>
/// <para>Since wᵢ is a scalar, G_W⁽ⁱ⁾ = wᵢ·‖∇_W Lᵢ‖, so the gradient of L_grad is sign(G⁽ⁱ⁾ − targetᵢ)·‖∇_W Lᵢ‖:
/// no second-order derivative is needed. It is still computed on the tape, from L_grad composed of primitives.</para>
/// </remarks>
public sealed partial class GradNorm<T> : Module<T>, ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly Var<T>[] _weights;
    private readonly double[] _stepLosses;
    private double[]? _initialLosses;
    private Var<T>? _lastSharedWeight;

    /// <summary>Creates the weights, all 1.</summary>
    /// <param name="tasks">The tasks.</param>
    /// <param name="alpha">The asymmetry α ≥ 0: 0 pulls all gradient norms to the same value; larger values
    /// favour the tasks that train more slowly. The paper uses 0.12–3, often 1.5.</param>
    /// <param name="minWeight">Floor applied to every wᵢ before renormalising, so that an overshooting
    /// optimizer step cannot make a weight zero or negative (a safeguard the paper does not need to state).</param>
    public GradNorm(IEnumerable<string> tasks, double alpha = 1.5, double minWeight = 1e-4)
    {
        _tasks = TaskIndex.Validate("GradNorm", tasks);
        if (!double.IsFinite(alpha) || alpha < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "GradNorm: alpha must be a finite number ≥ 0.");
        }

        if (!(minWeight > 0) || minWeight > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minWeight), minWeight, "GradNorm: the weight floor must be in (0, 1].");
        }

        Alpha = alpha;
        MinWeight = minWeight;
        _weights = _tasks.Select(t => RegisterParameter("weight_" + t, Tensor.Scalar(T.One))).ToArray();
        _stepLosses = new double[_tasks.Length];
    }

    /// <inheritdoc />
    public string Name => "gradnorm";

    /// <summary>True: the weights are tuned on the per-task gradient norms.</summary>
    public bool NeedsTaskGradients => true;

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>The floor under each weight at renormalisation.</summary>
    public double MinWeight { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The weight parameters wᵢ, in task order.</summary>
    public IReadOnlyList<Var<T>> WeightParameters => _weights;

    /// <summary>The current wᵢ.</summary>
    public IReadOnlyList<double> Weights => _weights.Select(w => double.CreateTruncating(w.Data.Item())).ToArray();

    /// <summary>Lᵢ(0), each task's loss at its first update (NaN for a task not seen yet); null before the first.</summary>
    public IReadOnlyList<double>? InitialLosses => _initialLosses;

    /// <summary>L_grad of the last step, for logging.</summary>
    public double LastGradNormLoss { get; private set; }

    /// <summary>The weight matrix G_W is measured on in a trainer: the last shared parameter of rank 2 or more, set by <see cref="Bind"/>.</summary>
    public Var<T>? LastSharedWeight => _lastSharedWeight;

    /// <summary>Σ wᵢLᵢ with the weights as constants (the network's objective).</summary>
    public Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses) => StaticWeighting<T>.WeightedSum(losses, TaskIndex.Of("GradNorm", _tasks, losses), Weights);

    /// <summary>The weighted losses wᵢLᵢ (weights constant), one per task, for <see cref="TaskGradients{T}.Compute"/>;
    /// records the losses' values for <see cref="CombineGradients"/>.</summary>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("GradNorm", _tasks, losses);
        Array.Fill(_stepLosses, double.NaN);
        for (int i = 0; i < losses.Count; i++)
        {
            _stepLosses[at[i]] = double.CreateTruncating(losses[i].Loss.Item());
        }

        return StaticWeighting<T>.Scaled(losses, at, Weights);
    }

    /// <summary>
    /// One GradNorm update from per-task gradients of the weighted losses (from <see cref="Weigh"/>): G_W⁽ⁱ⁾ is
    /// the norm of each task's gradient on <paramref name="lastSharedWeight"/> and Lᵢ the weighted loss
    /// divided by wᵢ. The tasks of the set take part (all of this weighting's, or some). Accumulates
    /// ∂L_grad/∂wᵢ into the weights' gradients and returns L_grad.
    /// </summary>
    public double Step(TaskGradientSet<T> weightedGradients, Var<T> lastSharedWeight)
    {
        ArgumentNullException.ThrowIfNull(weightedGradients);
        ArgumentNullException.ThrowIfNull(lastSharedWeight);
        var w = Weights;
        var at = new List<int>();
        var losses = new List<double>();
        var norms = new List<double>();
        for (int i = 0; i < _tasks.Length; i++)
        {
            int row = TaskIndex.IndexOf(weightedGradients.Tasks, _tasks[i]);
            if (row < 0)
            {
                continue;
            }

            var slice = weightedGradients.Slice(row, lastSharedWeight);
            at.Add(i);
            norms.Add(Math.Sqrt(TensorPrimitives.Dot(slice, slice)));
            losses.Add(weightedGradients.Losses[row] / w[i]);
        }

        foreach (var task in weightedGradients.Tasks)
        {
            _ = IndexIn(_tasks, task);
        }

        return StepOn([.. at], [.. losses], [.. norms]);
    }

    /// <summary>
    /// One GradNorm update from the unweighted task losses Lᵢ(t) and the gradient norms G_W⁽ⁱ⁾ of the
    /// weighted losses (task order). The first call records Lᵢ(0). Accumulates ∂L_grad/∂wᵢ into the
    /// weights' gradients (a backward pass on the current tape) and returns L_grad.
    /// </summary>
    /// <exception cref="ArgumentException">Counts differ from the task count, a loss is not finite and &gt; 0, or a norm is negative or not finite.</exception>
    public double Step(IReadOnlyList<double> losses, IReadOnlyList<double> weightedGradientNorms)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(weightedGradientNorms);
        int k = _tasks.Length;
        if (losses.Count != k || weightedGradientNorms.Count != k)
        {
            throw new ArgumentException($"GradNorm: {losses.Count} losses and {weightedGradientNorms.Count} gradient norms for {k} tasks.", nameof(losses));
        }

        return StepOn([.. Enumerable.Range(0, k)], [.. losses], [.. weightedGradientNorms]);
    }

    /// <summary>wᵢ ← K·max(wᵢ, floor) / Σⱼ max(wⱼ, floor), after the optimizer's step.</summary>
    public void Renormalize()
    {
        var w = Weights.Select(v => Math.Max(v, MinWeight)).ToArray();
        double scale = _tasks.Length / w.Sum();
        for (int i = 0; i < w.Length; i++)
        {
            _weights[i].Data.Span[0] = T.CreateTruncating(w[i] * scale);
        }
    }

    /// <summary>The update over the tasks <paramref name="at"/> (positions in the task list) with their losses and norms.</summary>
    private double StepOn(int[] at, double[] losses, double[] weightedGradientNorms)
    {
        for (int j = 0; j < at.Length; j++)
        {
            if (!double.IsFinite(losses[j]) || losses[j] <= 0)
            {
                throw new ArgumentException($"GradNorm: the loss {losses[j]} of task '{_tasks[at[j]]}' is not a finite number > 0 (the ratio Lᵢ(t)/Lᵢ(0) needs one).", nameof(losses));
            }

            if (!double.IsFinite(weightedGradientNorms[j]) || weightedGradientNorms[j] < 0)
            {
                throw new ArgumentException($"GradNorm: the gradient norm {weightedGradientNorms[j]} of task '{_tasks[at[j]]}' is not a finite number ≥ 0.", nameof(weightedGradientNorms));
            }
        }

        if (at.Length == 0)
        {
            return LastGradNormLoss = 0;
        }

        if (_initialLosses is null)
        {
            _initialLosses = new double[_tasks.Length];
            Array.Fill(_initialLosses, double.NaN);
        }

        for (int j = 0; j < at.Length; j++)
        {
            if (double.IsNaN(_initialLosses[at[j]]))
            {
                _initialLosses[at[j]] = losses[j];
            }
        }

        var ratios = losses.Select((l, j) => l / _initialLosses[at[j]]).ToArray();
        double meanRatio = ratios.Average();
        double meanNorm = weightedGradientNorms.Average();
        var w = Weights;

        // L_grad = Σ |wᵢ·nᵢ − Ḡ·rᵢ^α| with nᵢ = G⁽ⁱ⁾/wᵢ = ‖∇_W Lᵢ‖ and the target constant.
        Var<T>? lossGrad = null;
        for (int j = 0; j < at.Length; j++)
        {
            int i = at[j];
            double target = meanNorm * Math.Pow(ratios[j] / meanRatio, Alpha);
            var term = ((_weights[i] * T.CreateTruncating(weightedGradientNorms[j] / w[i])) - T.CreateTruncating(target)).Abs();
            lossGrad = lossGrad is null ? term : lossGrad + term;
        }

        LastGradNormLoss = double.CreateTruncating(lossGrad!.Item());
        lossGrad.Backward();
        return LastGradNormLoss;
    }

    private static int IndexIn(IReadOnlyList<string> tasks, string task)
    {
        int i = TaskIndex.IndexOf(tasks, task);
        return i >= 0 ? i : throw new ArgumentException($"GradNorm: the task gradients have a task '{task}' that GradNorm does not weigh (its tasks: {string.Join(", ", tasks)}).", nameof(tasks));
    }
}
