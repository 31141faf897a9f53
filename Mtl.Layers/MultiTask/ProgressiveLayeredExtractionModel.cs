using System.Globalization;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// Progressive layered extraction, PLE (Tang et al. 2020): a stack of <see cref="ExtractionLevel{T}"/>s, task-specific
/// and shared experts at every level, each task's gate mixing its own experts with the shared ones and a shared gate
/// carrying a mix of all experts up to the next level; a head per task (<c>heads.&lt;task&gt;</c>) reads its task's
/// top-level output. One level is CGC (<see cref="Cgc"/>). Separating task-specific from shared experts is the
/// paper's answer to the seesaw of MMoE, where every expert is pulled by every task.
/// </summary>
/// <remarks>The parameters shared between tasks (where gradient methods act) are everything below the top level
/// (every expert there feeds the shared gate, hence every task) and the top level's shared experts; the top level's
/// task experts and gates and the heads are each one task's.</remarks>
public sealed class ProgressiveLayeredExtractionModel<T> : Module<T>, IMultiTaskModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly ExtractionLevel<T>[] _levels;
    private readonly Layer<T>[] _heads;

    /// <summary>Creates the model.</summary>
    /// <param name="inputFeatures">The input width.</param>
    /// <param name="widths">Each level's expert output width, bottom to top (the number of levels).</param>
    /// <param name="taskExperts">Experts per task per level.</param>
    /// <param name="sharedExperts">Shared experts per level.</param>
    /// <param name="heads">Task name → head (reading the top level's width), in task order.</param>
    /// <param name="random">The generator of the experts' and gates' weights.</param>
    /// <param name="expert">Makes an expert from (input width, output width, generator); default Linear then ReLU.</param>
    public ProgressiveLayeredExtractionModel(int inputFeatures, IReadOnlyList<int> widths, int taskExperts, int sharedExperts, IReadOnlyList<KeyValuePair<string, Layer<T>>> heads, SeededRandom random, Func<int, int, SeededRandom, Layer<T>>? expert = null)
    {
        ArgumentNullException.ThrowIfNull(widths);
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(random);
        if (widths.Count == 0 || heads.Count == 0)
        {
            throw new ArgumentException($"ProgressiveLayeredExtractionModel: needs at least one level and one head, got {widths.Count} levels and {heads.Count} heads.", nameof(widths));
        }

        expert ??= (input, output, r) => new Sequential<T>(new Linear<T>(input, output, r), new ReLU<T>());
        _tasks = [.. heads.Select(h => h.Key)];
        InputFeatures = inputFeatures;
        var levels = RegisterModule("levels", new ModuleDict<T>());
        _levels = new ExtractionLevel<T>[widths.Count];
        int width = inputFeatures;
        for (int l = 0; l < widths.Count; l++)
        {
            _levels[l] = levels.Add(l.ToString(CultureInfo.InvariantCulture), new ExtractionLevel<T>(_tasks, width, widths[l], taskExperts, sharedExperts, sharedGate: l < widths.Count - 1, expert, random));
            width = widths[l];
        }

        var headDict = RegisterModule("heads", new ModuleDict<T>());
        _heads = [.. heads.Select(h => headDict.Add(h.Key, h.Value))];
    }

    /// <summary>CGC: one extraction level, no shared gate.</summary>
    public static ProgressiveLayeredExtractionModel<T> Cgc(int inputFeatures, int width, int taskExperts, int sharedExperts, IReadOnlyList<KeyValuePair<string, Layer<T>>> heads, SeededRandom random, Func<int, int, SeededRandom, Layer<T>>? expert = null) =>
        new(inputFeatures, [width], taskExperts, sharedExperts, heads, random, expert);

    /// <summary>The input width.</summary>
    public int InputFeatures { get; }

    /// <summary>The levels, bottom to top.</summary>
    public IReadOnlyList<ExtractionLevel<T>> Levels => _levels;

    /// <inheritdoc />
    public IReadOnlyList<string> Tasks => _tasks;

    /// <inheritdoc />
    public TaskOutputs<T> Forward(Var<T> input)
    {
        var top = Extract(input);
        var outputs = new TaskOutputs<T>();
        for (int k = 0; k < _tasks.Length; k++)
        {
            outputs.Add(_tasks[k], _heads[k].Forward(top[k]));
        }

        return outputs;
    }

    /// <inheritdoc />
    public Var<T> Forward(Var<T> input, string task)
    {
        int k = Array.IndexOf(_tasks, task);
        if (k < 0)
        {
            throw new KeyNotFoundException($"ProgressiveLayeredExtractionModel: no task '{task}' (have: {string.Join(", ", _tasks)}).");
        }

        return _heads[k].Forward(Extract(input)[k]);
    }

    /// <inheritdoc />
    public IEnumerable<Var<T>> SharedParameters()
    {
        var taskOnly = new HashSet<Var<T>>(Enumerable.Range(0, _tasks.Length).SelectMany(k => _levels[^1].TaskOnlyParameters(k)));
        return _levels.SelectMany(l => l.Parameters()).Where(p => !taskOnly.Contains(p));
    }

    /// <inheritdoc />
    public Var<T>? Penalty() => null;

    /// <summary>Every task's top-level output.</summary>
    private Var<T>[] Extract(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shape.Rank != 2 || input.Shape[1] != InputFeatures)
        {
            throw new ArgumentException($"ProgressiveLayeredExtractionModel: the input is {input.Shape}; expected [batch, {InputFeatures}].", nameof(input));
        }

        var taskInputs = Enumerable.Repeat(input, _tasks.Length).ToArray();
        var shared = input;
        foreach (var level in _levels)
        {
            var (tasks, next) = level.Forward(taskInputs, shared);
            taskInputs = tasks;
            shared = next ?? shared;
        }

        return taskInputs;
    }
}
