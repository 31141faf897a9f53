using System.Globalization;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// One extraction level of PLE, which alone is CGC (customized gate control; Tang et al. 2020, §4.2–4.3): each
/// task k has its own experts (<c>experts.&lt;task&gt;.&lt;i&gt;</c>) and all tasks share some
/// (<c>experts.shared.&lt;i&gt;</c>). Task k's gate (<c>gates.&lt;task&gt;</c>) weighs its own experts and the
/// shared ones by a softmax of its input, yₖ = Σᵢ softmax(Wₖ·xₖ)ᵢ·eᵢ(·) over those experts, each expert reading
/// its own side's input (task k's experts xₖ, shared experts x_s). Below the top level a shared gate
/// (<c>gates.shared</c>) mixes every expert of the level into the next level's shared input.
/// </summary>
public sealed class ExtractionLevel<T> : Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly Layer<T>[][] _taskExperts;
    private readonly Layer<T>[] _sharedExperts;
    private readonly Linear<T>[] _taskGates;
    private readonly Linear<T>? _sharedGate;

    /// <summary>Creates a level.</summary>
    /// <param name="tasks">The task names, in order.</param>
    /// <param name="inputWidth">The width of every input (the features at the first level, the previous level's output after).</param>
    /// <param name="outputWidth">D, every expert's output width.</param>
    /// <param name="taskExperts">Experts per task (≥ 1).</param>
    /// <param name="sharedExperts">Shared experts (≥ 1).</param>
    /// <param name="sharedGate">Whether to mix a shared output for a next level (false at the top).</param>
    /// <param name="expert">Makes one expert from (input width, output width, generator).</param>
    /// <param name="random">The generator of the experts' and gates' weights.</param>
    public ExtractionLevel(IReadOnlyList<string> tasks, int inputWidth, int outputWidth, int taskExperts, int sharedExperts, bool sharedGate, Func<int, int, SeededRandom, Layer<T>> expert, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(expert);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(taskExperts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sharedExperts);
        if (tasks.Count == 0 || tasks.Distinct().Count() != tasks.Count || tasks.Contains("shared"))
        {
            throw new ArgumentException($"ExtractionLevel: needs distinct task names other than 'shared', got [{string.Join(", ", tasks)}].", nameof(tasks));
        }

        _tasks = [.. tasks];
        InputWidth = inputWidth;
        OutputWidth = outputWidth;
        var experts = RegisterModule("experts", new ModuleDict<T>());
        var gates = RegisterModule("gates", new ModuleDict<T>());
        string Name(int i) => i.ToString(CultureInfo.InvariantCulture);
        _taskExperts = new Layer<T>[_tasks.Length][];
        for (int k = 0; k < _tasks.Length; k++)
        {
            var own = experts.Add(_tasks[k], new ModuleDict<T>());
            _taskExperts[k] = [.. Enumerable.Range(0, taskExperts).Select(i => own.Add(Name(i), expert(inputWidth, outputWidth, random)))];
        }

        var shared = experts.Add("shared", new ModuleDict<T>());
        _sharedExperts = [.. Enumerable.Range(0, sharedExperts).Select(i => shared.Add(Name(i), expert(inputWidth, outputWidth, random)))];
        _taskGates = [.. _tasks.Select(t => gates.Add(t, new Linear<T>(inputWidth, taskExperts + sharedExperts, random)))];
        _sharedGate = sharedGate ? gates.Add("shared", new Linear<T>(inputWidth, (_tasks.Length * taskExperts) + sharedExperts, random)) : null;
    }

    /// <summary>The input width.</summary>
    public int InputWidth { get; }

    /// <summary>D, the output width.</summary>
    public int OutputWidth { get; }

    /// <summary>Whether the level mixes a shared output for a next level.</summary>
    public bool HasSharedGate => _sharedGate is not null;

    /// <summary>The parameters only task <paramref name="task"/> uses when this is the top level: its experts and its gate.</summary>
    internal IEnumerable<Var<T>> TaskOnlyParameters(int task) => _taskExperts[task].SelectMany(e => e.Parameters()).Concat(_taskGates[task].Parameters());

    /// <summary>Every task's output [N, D], and the shared output when the level has a shared gate.</summary>
    /// <param name="taskInputs">Each task's input [N, in], in task order.</param>
    /// <param name="sharedInput">The shared experts' input [N, in].</param>
    public (Var<T>[] Tasks, Var<T>? Shared) Forward(IReadOnlyList<Var<T>> taskInputs, Var<T> sharedInput)
    {
        ArgumentNullException.ThrowIfNull(taskInputs);
        ArgumentNullException.ThrowIfNull(sharedInput);
        if (taskInputs.Count != _tasks.Length)
        {
            throw new ArgumentException($"ExtractionLevel: {taskInputs.Count} task inputs for {_tasks.Length} tasks.", nameof(taskInputs));
        }

        var shared = _sharedExperts.Select(e => e.Forward(sharedInput)).ToArray();
        var own = new Var<T>[_tasks.Length][];
        var outputs = new Var<T>[_tasks.Length];
        for (int k = 0; k < _tasks.Length; k++)
        {
            own[k] = [.. _taskExperts[k].Select(e => e.Forward(taskInputs[k]))];
            outputs[k] = Mix(_taskGates[k].Forward(taskInputs[k]), [.. own[k], .. shared]);
        }

        var next = _sharedGate is null ? null : Mix(_sharedGate.Forward(sharedInput), [.. own.SelectMany(e => e), .. shared]);
        return (outputs, next);
    }

    /// <summary>Σᵢ softmax(logits)ᵢ·expertᵢ: [N, 1, E]·[N, E, D] → [N, D].</summary>
    private Var<T> Mix(Var<T> logits, IReadOnlyList<Var<T>> experts)
    {
        int n = logits.Shape[0];
        foreach (var e in experts)
        {
            if (e.Shape.Rank != 2 || e.Shape[0] != n || e.Shape[1] != OutputWidth)
            {
                throw new InvalidOperationException($"{(Path.Length == 0 ? "ExtractionLevel" : Path)}: an expert returned {e.Shape}; every expert of this level must map [N, {InputWidth}] to [N, {OutputWidth}].");
            }
        }

        var stacked = Ops.Concat([.. experts.Select(e => e.Reshape(n, 1, OutputWidth))], 1);
        return logits.Softmax().Reshape(n, 1, experts.Count).MatMul(stacked).Reshape(n, OutputWidth);
    }
}
