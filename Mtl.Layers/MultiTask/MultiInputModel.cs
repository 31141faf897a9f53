using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// Multi-task learning across tasks whose inputs differ: each task has its own input encoder
/// (<c>encoders.&lt;task&gt;</c>) mapping its input into a common representation, one shared block
/// (<c>shared</c>) on top of every encoder, and a head per task (<c>heads.&lt;task&gt;</c>):
/// y_t = head_t(shared(encoder_t(x_t))). Tasks can be run together or one at a time. The shared block's
/// parameters are the shared ones; the encoders and heads are task-specific. <c>Trainer</c> trains it with every
/// loss weighting and gradient method, one mini-batch of each task per step.
/// </summary>
public sealed class MultiInputModel<T> : Module<T>, IMultiInputModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<string> _tasks = [];

    /// <summary>Creates a model around the shared block; add tasks with <see cref="AddTask"/>.</summary>
    public MultiInputModel(Layer<T> shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        Encoders = RegisterModule("encoders", new ModuleDict<T>());
        Shared = RegisterModule("shared", shared);
        Heads = RegisterModule("heads", new ModuleDict<T>());
    }

    /// <summary>The input encoders by task.</summary>
    public ModuleDict<T> Encoders { get; }

    /// <summary>The shared block.</summary>
    public Layer<T> Shared { get; }

    /// <summary>The heads by task.</summary>
    public ModuleDict<T> Heads { get; }

    /// <summary>Task names in the order they were added.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>Adds <paramref name="task"/> with its input encoder and its head.</summary>
    public MultiInputModel<T> AddTask(string task, Layer<T> encoder, Layer<T> head)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(head);
        Encoders.Add(task, encoder);
        Heads.Add(task, head);
        _tasks.Add(task);
        return this;
    }

    /// <summary>Runs <paramref name="task"/> alone on its input.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public Var<T> Forward(string task, Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var encoder = (Layer<T>)Encoders[task];
        return ((Layer<T>)Heads[task]).Forward(Shared.Forward(encoder.Forward(input)));
    }

    /// <summary>
    /// Runs every task that has an input in <paramref name="inputs"/> (task name → that task's input);
    /// the outputs are in the model's task order.
    /// </summary>
    /// <exception cref="KeyNotFoundException">An input names a task the model does not have.</exception>
    public TaskOutputs<T> Forward(IReadOnlyDictionary<string, Var<T>> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var task in inputs.Keys)
        {
            if (!Encoders.Contains(task))
            {
                throw new KeyNotFoundException($"{(Path.Length == 0 ? "MultiInputModel" : Path)}: input for unknown task '{task}' (have: {string.Join(", ", _tasks)}).");
            }
        }

        var outputs = new TaskOutputs<T>();
        foreach (var task in _tasks)
        {
            if (inputs.TryGetValue(task, out var x))
            {
                outputs.Add(task, Forward(task, x));
            }
        }

        return outputs;
    }

    /// <summary>The shared block's parameters: every task's gradient reaches them.</summary>
    public IEnumerable<Var<T>> SharedParameters() => Shared.Parameters();

    /// <summary>None: the architecture adds no regulariser.</summary>
    public Var<T>? Penalty() => null;
}
