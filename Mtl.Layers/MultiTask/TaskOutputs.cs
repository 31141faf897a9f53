using System.Collections;
using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>One output per task, by task name, in the model's task order (no tuples).</summary>
public sealed class TaskOutputs<T> : IReadOnlyDictionary<string, Var<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<KeyValuePair<string, Var<T>>> _items = [];

    /// <summary>Adds a task's output.</summary>
    public void Add(string task, Var<T> output) => _items.Add(new(task, output));

    /// <summary>The output of <paramref name="task"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task; the message lists the tasks there are.</exception>
    public Var<T> this[string task]
    {
        get
        {
            foreach (var (k, v) in _items)
            {
                if (k == task)
                {
                    return v;
                }
            }

            throw new KeyNotFoundException($"TaskOutputs: no task named '{task}' (have: {string.Join(", ", Keys)}).");
        }
    }

    /// <inheritdoc />
    public IEnumerable<string> Keys => _items.Select(i => i.Key);

    /// <inheritdoc />
    public IEnumerable<Var<T>> Values => _items.Select(i => i.Value);

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _items.Any(i => i.Key == key);

    /// <inheritdoc />
    public bool TryGetValue(string key, out Var<T> value)
    {
        foreach (var (k, v) in _items)
        {
            if (k == key)
            {
                value = v;
                return true;
            }
        }

        value = null!;
        return false;
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Var<T>>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
