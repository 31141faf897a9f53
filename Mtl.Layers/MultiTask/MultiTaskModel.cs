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
public sealed class MultiTaskModel<T> : Module<T>, ISharedRepresentationModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(string Task, int Depth)> _tasks = [];
    private readonly List<string> _taskNames = [];
    private string[] _taskArray = [];
    private HeadGroup[] _groups = [];

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
        _taskArray = [.. _taskNames];
        _groups = [.. _tasks.Select((t, i) => (t.Depth, Index: i)).GroupBy(t => t.Depth).OrderBy(g => g.Key).Select(g => HeadGroup.Of(g.Key, [.. g.Select(t => t.Index)], _tasks, Heads))];
        return this;
    }

    /// <summary>
    /// Whether the <see cref="Linear{T}"/> heads that attach at the same depth run as one wide layer
    /// (<see cref="Ops.LinearHeads{T}(Var{T}, IReadOnlyList{Var{T}}, IReadOnlyList{Var{T}})"/>): one pass over the shared features instead of one per head,
    /// forward and backward. The outputs and gradients are those of separate heads up to rounding. On by
    /// default; turn it off to see each head as its own op on the tape.
    /// </summary>
    public bool FuseLinearHeads { get; set; } = true;

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
        foreach (var group in _groups)
        {
            x = Shared.Forward(x, at, group.Depth);
            at = group.Depth;
            RunHeads(group, x, results);
        }

        return new TaskOutputs<T>(_taskArray, results);
    }

    /// <summary>The trunk's output at the one depth every head attaches to (all of it, for plain hard sharing).</summary>
    /// <exception cref="InvalidOperationException">No heads, or heads at different depths (hierarchical sharing has
    /// one representation per depth).</exception>
    public Var<T> Represent(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Shared.Forward(input, 0, SingleGroup("Represent").Depth);
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">No heads, or heads at different depths.</exception>
    public TaskOutputs<T> ForwardHeads(Var<T> representation)
    {
        ArgumentNullException.ThrowIfNull(representation);
        var results = new Var<T>[_tasks.Count];
        RunHeads(SingleGroup("ForwardHeads"), representation, results);
        return new TaskOutputs<T>(_taskArray, results);
    }

    private HeadGroup SingleGroup(string op) => _groups.Length == 1
        ? _groups[0]
        : throw new InvalidOperationException(_groups.Length == 0
            ? $"MultiTaskModel.{op}: the model has no heads yet."
            : $"MultiTaskModel.{op}: the heads attach at depths {string.Join(", ", _groups.Select(g => g.Depth))} of the trunk, so there is no single shared representation (hierarchical sharing); attach every head at one depth.");

    /// <summary>The heads of one depth on the trunk's output there, into their task slots.</summary>
    private void RunHeads(HeadGroup group, Var<T> x, Var<T>[] results)
    {
        if (FuseLinearHeads && group.Linear.Length > 1)
        {
            if (x.Shape.Rank != 2 || x.Shape[1] != group.InFeatures)
            {
                throw new ArgumentException($"MultiTaskModel: the heads at depth {group.Depth} take [batch, {group.InFeatures}] but the trunk gives {x.Shape}.");
            }

            if (group.LinearRun >= 0)
            {
                Ops.LinearHeads(x, group.Weights, group.Biases, results.AsSpan(group.LinearRun, group.Linear.Length));
            }
            else
            {
                var fused = Ops.LinearHeads(x, group.Weights, group.Biases);
                for (int j = 0; j < fused.Length; j++)
                {
                    results[group.Linear[j]] = fused[j];
                }
            }
        }
        else
        {
            foreach (int i in group.Linear)
            {
                results[i] = ((Layer<T>)Heads[_tasks[i].Task]).Forward(x);
            }
        }

        foreach (int i in group.Other)
        {
            results[i] = ((Layer<T>)Heads[_tasks[i].Task]).Forward(x);
        }
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

    /// <summary>The heads attached at one depth: the <see cref="Linear{T}"/> ones (fusable, with their
    /// parameters gathered once) and the others, as indices into the task list. <see cref="LinearRun"/> is
    /// the first task index when the Linear heads are consecutive tasks (their fused outputs then go
    /// straight into the output array), else -1.</summary>
    private sealed record HeadGroup(int Depth, int[] Linear, int[] Other, int InFeatures, Var<T>[] Weights, Var<T>?[] Biases)
    {
        public int LinearRun { get; } = Linear.Length > 0 && Linear.Select((task, j) => task - j).Distinct().Count() == 1 ? Linear[0] : -1;

        public static HeadGroup Of(int depth, int[] tasks, List<(string Task, int Depth)> all, ModuleDict<T> heads)
        {
            int[] linear = [.. tasks.Where(i => heads[all[i].Task] is Linear<T>)];
            int[] other = [.. tasks.Where(i => heads[all[i].Task] is not Linear<T>)];
            var layers = linear.Select(i => (Linear<T>)heads[all[i].Task]).ToArray();
            bool sameInput = layers.Length > 0 && layers.All(l => l.InFeatures == layers[0].InFeatures);
            if (!sameInput)
            {
                // Heads of different widths cannot share one input; leave them separate so each reports its own error.
                (linear, other, layers) = ([], tasks, []);
            }

            return new HeadGroup(depth, linear, other, layers.Length > 0 ? layers[0].InFeatures : 0, [.. layers.Select(l => l.Weight)], [.. layers.Select(l => l.Bias)]);
        }
    }
}
