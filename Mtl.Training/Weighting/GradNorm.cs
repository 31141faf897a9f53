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
/// <para>Since wᵢ is a scalar, G_W⁽ⁱ⁾ = wᵢ·‖∇_W Lᵢ‖, so the gradient of L_grad is sign(G⁽ⁱ⁾ − targetᵢ)·‖∇_W Lᵢ‖:
/// no second-order derivative is needed. It is still computed on the tape, from L_grad composed of primitives.</para>
/// </remarks>
public sealed class GradNorm<T> : Module<T>, ILossWeighting<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly Var<T>[] _weights;
    private double[]? _initialLosses;

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
    }

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

    /// <summary>Lᵢ(0), recorded at the first <see cref="Step(IReadOnlyList{double}, IReadOnlyList{double})"/>.</summary>
    public IReadOnlyList<double>? InitialLosses => _initialLosses;

    /// <summary>L_grad of the last step, for logging.</summary>
    public double LastGradNormLoss { get; private set; }

    /// <summary>Σ wᵢLᵢ with the weights as constants (the network's objective).</summary>
    public Var<T> Combine(IReadOnlyList<TaskLoss<T>> losses) => StaticWeighting<T>.WeightedSum(losses, TaskIndex.Of("GradNorm", _tasks, losses), Weights);

    /// <summary>The weighted losses wᵢLᵢ (weights constant), one per task, for <see cref="TaskGradients{T}.Compute"/>.</summary>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        var at = TaskIndex.Of("GradNorm", _tasks, losses);
        var w = Weights;
        return losses.Select((l, i) => new TaskLoss<T>(l.Task, l.Loss * T.CreateTruncating(w[at[i]]))).ToArray();
    }

    /// <summary>
    /// One GradNorm update from per-task gradients of the weighted losses (from <see cref="Weigh"/>): G_W⁽ⁱ⁾ is
    /// the norm of each task's gradient on <paramref name="lastSharedWeight"/> and Lᵢ the weighted loss
    /// divided by wᵢ. Accumulates ∂L_grad/∂wᵢ into the weights' gradients and returns L_grad.
    /// </summary>
    public double Step(TaskGradientSet<T> weightedGradients, Var<T> lastSharedWeight)
    {
        ArgumentNullException.ThrowIfNull(weightedGradients);
        ArgumentNullException.ThrowIfNull(lastSharedWeight);
        var w = Weights;
        var losses = new double[_tasks.Length];
        var norms = new double[_tasks.Length];
        for (int i = 0; i < _tasks.Length; i++)
        {
            int at = IndexIn(weightedGradients.Tasks, _tasks[i]);
            var slice = weightedGradients.Slice(at, lastSharedWeight);
            norms[i] = Math.Sqrt(TensorPrimitives.Dot(slice, slice));
            losses[i] = weightedGradients.Losses[at] / w[i];
        }

        return Step(losses, norms);
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

        for (int i = 0; i < k; i++)
        {
            if (!double.IsFinite(losses[i]) || losses[i] <= 0)
            {
                throw new ArgumentException($"GradNorm: the loss {losses[i]} of task '{_tasks[i]}' is not a finite number > 0 (the ratio Lᵢ(t)/Lᵢ(0) needs one).", nameof(losses));
            }

            if (!double.IsFinite(weightedGradientNorms[i]) || weightedGradientNorms[i] < 0)
            {
                throw new ArgumentException($"GradNorm: the gradient norm {weightedGradientNorms[i]} of task '{_tasks[i]}' is not a finite number ≥ 0.", nameof(weightedGradientNorms));
            }
        }

        _initialLosses ??= [.. losses];
        var ratios = losses.Select((l, i) => l / _initialLosses[i]).ToArray();
        double meanRatio = ratios.Average();
        double meanNorm = weightedGradientNorms.Average();
        var w = Weights;

        // L_grad = Σ |wᵢ·nᵢ − Ḡ·rᵢ^α| with nᵢ = G⁽ⁱ⁾/wᵢ = ‖∇_W Lᵢ‖ and the target constant.
        Var<T>? lossGrad = null;
        for (int i = 0; i < k; i++)
        {
            double target = meanNorm * Math.Pow(ratios[i] / meanRatio, Alpha);
            var term = ((_weights[i] * T.CreateTruncating(weightedGradientNorms[i] / w[i])) - T.CreateTruncating(target)).Abs();
            lossGrad = lossGrad is null ? term : lossGrad + term;
        }

        LastGradNormLoss = double.CreateTruncating(lossGrad!.Item());
        lossGrad.Backward();
        return LastGradNormLoss;
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

    private static int IndexIn(IReadOnlyList<string> tasks, string task)
    {
        for (int i = 0; i < tasks.Count; i++)
        {
            if (tasks[i] == task)
            {
                return i;
            }
        }

        throw new ArgumentException($"GradNorm: the task gradients have no task '{task}' (have: {string.Join(", ", tasks)}).", nameof(tasks));
    }
}
