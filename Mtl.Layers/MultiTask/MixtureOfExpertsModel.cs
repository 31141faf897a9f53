using System.Globalization;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// Multi-gate mixture of experts, MMoE (Ma et al. 2018, eqs. 5–6): E shared experts f_e
/// (<c>experts.&lt;e&gt;</c>), and per task k a softmax gate g_k(x) = softmax(x·W_kᵀ + b_k)
/// (<c>gates.&lt;task&gt;</c>, a <see cref="Linear{T}"/> from the input width to E) and a head h_k
/// (<c>heads.&lt;task&gt;</c>): y_k = h_k(Σ_e g_k(x)_e · f_e(x)). The experts run once per forward and
/// are shared by every task; the mix is a batched product [N, 1, E]·[N, E, D] on the tape.
/// </summary>
public sealed class MixtureOfExpertsModel<T> : Module<T>, IMultiTaskModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<string> _tasks = [];
    private readonly List<Layer<T>> _experts;
    private readonly SeededRandom _random;

    /// <summary>Creates the model around its experts; add tasks with <c>AddTask</c>.</summary>
    /// <param name="inputFeatures">Input width (the gates' input).</param>
    /// <param name="experts">The experts; each maps [N, in] to [N, D] with the same D.</param>
    /// <param name="random">The generator the gates' weights are drawn from.</param>
    public MixtureOfExpertsModel(int inputFeatures, IReadOnlyList<Layer<T>> experts, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(experts);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputFeatures);
        if (experts.Count == 0)
        {
            throw new ArgumentException("MixtureOfExpertsModel: needs at least one expert.", nameof(experts));
        }

        InputFeatures = inputFeatures;
        _random = random;
        Experts = RegisterModule("experts", new ModuleDict<T>());
        for (int e = 0; e < experts.Count; e++)
        {
            Experts.Add(e.ToString(CultureInfo.InvariantCulture), experts[e]);
        }

        _experts = [.. experts];
        Gates = RegisterModule("gates", new ModuleDict<T>());
        Heads = RegisterModule("heads", new ModuleDict<T>());
    }

    /// <summary>Input width.</summary>
    public int InputFeatures { get; }

    /// <summary>The shared experts, named 0 .. E − 1.</summary>
    public ModuleDict<T> Experts { get; }

    /// <summary>The gates by task.</summary>
    public ModuleDict<T> Gates { get; }

    /// <summary>The heads by task.</summary>
    public ModuleDict<T> Heads { get; }

    /// <summary>Task names in the order they were added.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>Adds <paramref name="task"/>: a new gate Linear(in, E) and the given head.</summary>
    public MixtureOfExpertsModel<T> AddTask(string task, Layer<T> head)
    {
        ArgumentNullException.ThrowIfNull(head);
        return AddTask(task, head, new Linear<T>(InputFeatures, _experts.Count, _random));
    }

    /// <summary>
    /// Adds <paramref name="task"/> with its own gate: a <see cref="Linear{T}"/> from the input width to E, whose
    /// softmax weighs the experts (MMoE), or any other layer that maps the input to E weights that are
    /// non-negative and sum to 1 per row, such as <see cref="DSelectKGate{T}"/> (sparse, differentiable top-k).
    /// </summary>
    public MixtureOfExpertsModel<T> AddTask(string task, Layer<T> head, Layer<T> gate)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(gate);
        if (gate is DSelectKGate<T> selector && selector.Experts != _experts.Count)
        {
            throw new ArgumentException($"MixtureOfExpertsModel: the gate of task '{task}' selects among {selector.Experts} experts, but the model has {_experts.Count}.", nameof(gate));
        }

        Heads.Add(task, head);
        Gates.Add(task, gate);
        _tasks.Add(task);
        return this;
    }

    /// <summary>The gate weights g_k(x) [N, E] of <paramref name="task"/> (rows sum to 1): the softmax of a
    /// <see cref="Linear{T}"/> gate, or another gate layer's output as it is.</summary>
    public Var<T> Gate(Var<T> input, string task)
    {
        ArgumentNullException.ThrowIfNull(input);
        var gate = (Layer<T>)Gates[task];
        return gate is Linear<T> linear ? linear.Forward(input).Softmax() : gate.Forward(input);
    }

    /// <summary>Runs the experts once and every task's gate and head; one output per task.</summary>
    public TaskOutputs<T> Forward(Var<T> input)
    {
        var experts = RunExperts(input);
        var outputs = new TaskOutputs<T>();
        foreach (var task in _tasks)
        {
            outputs.Add(task, Mix(input, experts, task));
        }

        return outputs;
    }

    /// <summary>Runs only what <paramref name="task"/> needs (all experts, its gate and its head).</summary>
    public Var<T> Forward(Var<T> input, string task) => Mix(input, RunExperts(input), task);

    /// <summary>The experts' outputs stacked as [N, E, D].</summary>
    private Var<T> RunExperts(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shape.Rank != 2 || input.Shape[1] != InputFeatures)
        {
            throw ShapeError("the input", input.Shape, $"[batch, {InputFeatures}]");
        }

        var outputs = _experts.Select(e => e.Forward(input)).ToList();
        var first = outputs[0].Shape;
        for (int e = 0; e < outputs.Count; e++)
        {
            var s = outputs[e].Shape;
            if (s.Rank != 2 || s != first)
            {
                throw ShapeError($"the output of expert {e}", s, first.Rank == 2 ? $"{first}, as expert 0's" : "[batch, D]");
            }
        }

        return Ops.Concat(outputs.Select(o => o.Reshape(first[0], 1, first[1])).ToList(), 1);
    }

    /// <summary>h_k(Σ_e g_k(x)_e f_e(x)): [N, 1, E]·[N, E, D] → [N, D], then the head.</summary>
    private Var<T> Mix(Var<T> input, Var<T> experts, string task)
    {
        int n = experts.Shape[0], count = experts.Shape[1], d = experts.Shape[2];
        var gate = Gate(input, task).Reshape(n, 1, count);
        var mixed = gate.MatMul(experts).Reshape(n, d);
        return ((Layer<T>)Heads[task]).Forward(mixed);
    }

    /// <summary>The experts' parameters, which every task's gate mixes.</summary>
    public IEnumerable<Var<T>> SharedParameters() => Experts.Parameters();

    /// <inheritdoc />
    public Var<T>? Penalty() => null;
}
