using System.Collections;
using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>One output per task, by task name, in the model's task order (no tuples).</summary>
/// <remarks>Two arrays rather than a dictionary: a model builds one of these per forward pass, and the
/// task names can be the model's own (shared, copied only if <see cref="Add"/> is called).</remarks>
public sealed class TaskOutputs<T> : IReadOnlyDictionary<string, Var<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private string[] _tasks;
    private Var<T>[] _outputs;
    private int _count;
    private bool _sharedTasks;

    /// <summary>An empty set; add outputs with <see cref="Add"/>.</summary>
    public TaskOutputs()
    {
        _tasks = [];
        _outputs = [];
    }

    /// <summary>The outputs of a model whose task names are <paramref name="tasks"/> (not copied; never
    /// written), <paramref name="outputs"/>[i] being task i's.</summary>
    internal TaskOutputs(string[] tasks, Var<T>[] outputs)
    {
        _tasks = tasks;
        _outputs = outputs;
        _count = outputs.Length;
        _sharedTasks = true;
    }

    /// <summary>Adds a task's output.</summary>
    public void Add(string task, Var<T> output)
    {
        if (_count == _outputs.Length || _sharedTasks)
        {
            int capacity = Math.Max(4, _count * 2);
            Array.Resize(ref _outputs, capacity);
            var tasks = new string[capacity];
            Array.Copy(_tasks, tasks, _count);
            _tasks = tasks;
            _sharedTasks = false;
        }

        _tasks[_count] = task;
        _outputs[_count] = output;
        _count++;
    }

    /// <summary>The output of <paramref name="task"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task; the message lists the tasks there are.</exception>
    public Var<T> this[string task] =>
        TryGetValue(task, out var value) ? value : throw new KeyNotFoundException($"TaskOutputs: no task named '{task}' (have: {string.Join(", ", Keys)}).");

    /// <inheritdoc />
    public IEnumerable<string> Keys => _tasks.Take(_count);

    /// <inheritdoc />
    public IEnumerable<Var<T>> Values => _outputs.Take(_count);

    /// <inheritdoc />
    public int Count => _count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <inheritdoc />
    public bool TryGetValue(string key, out Var<T> value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _outputs[i] : null!;
        return i >= 0;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Var<T>>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return new(_tasks[i], _outputs[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string task)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_tasks[i] == task)
            {
                return i;
            }
        }

        return -1;
    }
}
