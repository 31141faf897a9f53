using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// Hard parameter sharing, with hierarchical sharing as the general case: a shared trunk (a
/// <see cref="Sequential{T}"/>, parameters named <c>shared.*</c>) and one head per task
/// (<c>heads.&lt;task&gt;.*</c>). Each head attaches at a depth of the trunk: after all of its layers (plain
/// hard sharing, the default) or after the first <c>depth</c> layers, so that weakly related tasks can
/// branch off early and share less (hierarchical sharing).
/// </summary>
public sealed class MultiTaskModel<T> : Module<T>, IMultiTaskModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(string Task, int Depth)> _tasks = [];
    private readonly List<string> _taskNames = [];
    private int[] _depthOrder = [];

    /// <summary>Creates a model around a shared trunk; add heads with <see cref="AddHead"/>.</summary>
    public MultiTaskModel(Sequential<T> trunk)
    {
        Shared = RegisterModule("shared", trunk ?? throw new ArgumentNullException(nameof(trunk)));
        Heads = RegisterModule("heads", new ModuleDict<T>());
    }

    /// <summary>The shared trunk.</summary>
    public Sequential<T> Shared { get; }

    /// <summary>The task heads by task name.</summary>
    public ModuleDict<T> Heads { get; }

    /// <summary>Task names in the order heads were added.</summary>
    public IReadOnlyList<string> Tasks => _taskNames;

    /// <summary>
    /// Adds the head of <paramref name="task"/>, fed by the trunk's output after <paramref name="depth"/>
    /// layers (null: the whole trunk).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The depth is outside 0..trunk length.</exception>
    public MultiTaskModel<T> AddHead(string task, Layer<T> head, int? depth = null)
    {
        int d = depth ?? Shared.Count;
        if (d < 0 || d > Shared.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), $"MultiTaskModel: head '{task}' cannot attach at depth {d}; the trunk has {Shared.Count} layers.");
        }

        Heads.Add(task, head);
        _tasks.Add((task, d));
        _taskNames.Add(task);
        _depthOrder = [.. Enumerable.Range(0, _tasks.Count).OrderBy(i => _tasks[i].Depth)];
        return this;
    }

    /// <summary>The depth at which <paramref name="task"/>'s head attaches.</summary>
    public int DepthOf(string task) => _tasks.First(t => t.Task == task).Depth;

    /// <summary>Runs the trunk once and every head from its attachment depth; one output per task.</summary>
    public TaskOutputs<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        // Heads run in order of depth so the trunk is walked once; outputs are reported in task order.
        var results = new Var<T>[_tasks.Count];
        var x = input;
        int at = 0;
        foreach (int i in _depthOrder)
        {
            var (task, depth) = _tasks[i];
            x = Shared.Forward(x, at, depth);
            at = depth;
            results[i] = ((Layer<T>)Heads[task]).Forward(x);
        }

        var outputs = new TaskOutputs<T>();
        for (int i = 0; i < results.Length; i++)
        {
            outputs.Add(_tasks[i].Task, results[i]);
        }

        return outputs;
    }

    /// <summary>Runs only what <paramref name="task"/> needs: the trunk up to its depth, then its head.</summary>
    public Var<T> Forward(Var<T> input, string task)
    {
        ArgumentNullException.ThrowIfNull(input);
        var head = (Layer<T>)Heads[task];
        return head.Forward(Shared.Forward(input, 0, DepthOf(task)));
    }

    /// <inheritdoc />
    public IEnumerable<Var<T>> SharedParameters() => Shared.Parameters();

    /// <inheritdoc />
    public Var<T>? Penalty() => null;
}
