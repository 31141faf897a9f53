using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Text;
using Mtl.Tensors;

namespace Mtl.Training;

/// <summary>A model's outputs per task, by task name: [N, 1] for regression, [N, C] logits for classification.
/// Prints as one line per task with its values (abbreviated when large), not as a type name.</summary>
public sealed class TaskPredictions<T> : IReadOnlyDictionary<string, Tensor<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IReadOnlyDictionary<string, Tensor<T>> _outputs;

    /// <summary>Wraps <paramref name="outputs"/> (used, not copied).</summary>
    public TaskPredictions(IReadOnlyDictionary<string, Tensor<T>> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        _outputs = outputs;
    }

    /// <inheritdoc />
    public IEnumerable<string> Keys => _outputs.Keys;

    /// <inheritdoc />
    public IEnumerable<Tensor<T>> Values => _outputs.Values;

    /// <inheritdoc />
    public int Count => _outputs.Count;

    /// <summary>The outputs of task <paramref name="task"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task; the message lists the tasks there are.</exception>
    public Tensor<T> this[string task] => _outputs.TryGetValue(task, out var t)
        ? t
        : throw new KeyNotFoundException($"TaskPredictions: no task named '{task}' (have: {string.Join(", ", _outputs.Keys)}).");

    /// <inheritdoc />
    public bool ContainsKey(string key) => _outputs.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor<T> value) => _outputs.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Tensor<T>>> GetEnumerator() => _outputs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One line per task: <c>task: Tensor&lt;float32&gt;[N, 1] [[…], …]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder($"TaskPredictions ({_outputs.Count} task{(_outputs.Count == 1 ? string.Empty : "s")})");
        foreach (var (task, tensor) in _outputs)
        {
            sb.Append('\n').Append("  ").Append(task).Append(": ").Append(tensor.ToString().Replace("\n", "\n    ", StringComparison.Ordinal));
        }

        return sb.ToString();
    }
}
