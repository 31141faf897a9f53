using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Training.Optim;

/// <summary>
/// The base of every optimizer: parameter groups, <see cref="Step"/>, <see cref="ZeroGrad"/>, and the
/// per-parameter state by parameter name for checkpoints. A parameter is skipped by
/// <see cref="Step"/> while it is frozen (<see cref="Var{T}.RequiresGrad"/> false) or has no gradient.
/// </summary>
/// <remarks>
/// Names are the keys of saved state, so within one optimizer every parameter must appear once and every
/// name must be unique, as PyTorch requires of its param_groups. A slower shared trunk:
/// <code>
/// var named = model.NamedParameters().ToList();
/// var adam = new Adam&lt;float&gt;(
/// [
///     new ParameterGroup&lt;float, AdamOptions&gt;(named.Where(p =&gt; p.Key.StartsWith("shared.")), new AdamOptions { LearningRate = 1e-4 }),
///     new ParameterGroup&lt;float, AdamOptions&gt;(named.Where(p =&gt; !p.Key.StartsWith("shared.")), new AdamOptions { LearningRate = 1e-3 }),
/// ]);
/// </code>
/// With one group, pass the named parameters and the options: <c>new Sgd&lt;float&gt;(model.NamedParameters(), new SgdOptions { … })</c>.
/// (A collection expression of <c>new("name", p)</c> with no options binds to the groups constructor, so pass the options.)
/// </remarks>
public abstract class Optimizer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterGroup<T>[] _groups;
    private readonly KeyValuePair<string, Var<T>>[] _parameters;
    private readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);

    private protected Optimizer(IReadOnlyList<ParameterGroup<T>> groups, string name)
    {
        Name = name;
        if (groups.Count == 0)
        {
            throw new ArgumentException($"{name}: the optimizer got no parameter groups.", nameof(groups));
        }

        var seen = new HashSet<Var<T>>(ReferenceEqualityComparer.Instance);
        var all = new List<KeyValuePair<string, Var<T>>>();
        for (int g = 0; g < groups.Count; g++)
        {
            ArgumentNullException.ThrowIfNull(groups[g], nameof(groups));
            if (groups[g].Parameters.Count == 0)
            {
                throw new ArgumentException($"{name}: parameter group {g} is empty.", nameof(groups));
            }

            foreach (var (paramName, p) in groups[g].Parameters)
            {
                if (string.IsNullOrEmpty(paramName) || p is null)
                {
                    throw new ArgumentException($"{name}: parameter group {g} has a parameter without a name or a null parameter.", nameof(groups));
                }

                if (!seen.Add(p))
                {
                    throw new ArgumentException($"{name}: parameter '{paramName}' appears more than once (in group {g}); a parameter may belong to one group only.", nameof(groups));
                }

                if (!_indexByName.TryAdd(paramName, all.Count))
                {
                    throw new ArgumentException($"{name}: two parameters are named '{paramName}'; names are the keys of the saved state and must be unique.", nameof(groups));
                }

                all.Add(new(paramName, p));
            }
        }

        _groups = [.. groups];
        _parameters = [.. all];
    }

    /// <summary>The optimizer's name as saved in checkpoints (e.g. <c>Adam</c>).</summary>
    public string Name { get; }

    /// <summary>The parameter groups, in the order given.</summary>
    public IReadOnlyList<ParameterGroup<T>> Groups => _groups;

    /// <summary>Every parameter of every group with its name, group by group.</summary>
    public IReadOnlyList<KeyValuePair<string, Var<T>>> NamedParameters => _parameters;

    /// <summary>Updates every trainable parameter that has a gradient, using its group's hyper-parameters.</summary>
    public abstract void Step();

    /// <summary>Sets the gradient of every parameter to zero (keeping the buffers).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
        {
            p.Value.ZeroGrad();
        }
    }

    /// <summary>The state of the parameter named <paramref name="name"/>, or null before its first update.</summary>
    /// <exception cref="KeyNotFoundException">No parameter of this optimizer has that name.</exception>
    public ParameterState<T>? GetState(string name) => StateAt(IndexOf(name));

    /// <summary>Index of a parameter in <see cref="NamedParameters"/>, or -1.</summary>
    internal int TryIndexOf(string name) => _indexByName.TryGetValue(name, out int i) ? i : -1;

    /// <summary>The group holding the parameter at <paramref name="index"/> of <see cref="NamedParameters"/>.</summary>
    internal int GroupOf(int index)
    {
        for (int g = 0; g < _groups.Length; g++)
        {
            if (index < _groups[g].Parameters.Count)
            {
                return g;
            }

            index -= _groups[g].Parameters.Count;
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>The state at <paramref name="index"/> of <see cref="NamedParameters"/>, or null.</summary>
    internal abstract ParameterState<T>? StateAt(int index);

    /// <summary>A fresh state (step 0, zero tensors) for the parameter at <paramref name="index"/>.</summary>
    internal abstract ParameterState<T> NewState(int index);

    /// <summary>Replaces every parameter's state at once (checkpoint loading); entries may be null.</summary>
    internal abstract void ReplaceStates(ParameterState<T>?[] states);

    private int IndexOf(string name) =>
        _indexByName.TryGetValue(name, out int i) ? i : throw new KeyNotFoundException($"{Name}: no parameter named '{name}'.");
}
