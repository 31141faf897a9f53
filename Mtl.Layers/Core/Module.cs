using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// The base of every layer and model: named, ordered parameters and child modules, train/eval mode,
/// and the module's path in its model (e.g. <c>heads.species.0</c>), which names its parameters
/// (<c>heads.species.0.weight</c>) and appears in every error it raises.
/// </summary>
/// <remarks>Parameter names and layouts follow PyTorch's (a dense weight is [out, in]), so
/// <see cref="NamedParameters"/> lines up with a state_dict of the same architecture.</remarks>
public abstract class Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<KeyValuePair<string, Var<T>>> _parameters = [];
    private readonly List<KeyValuePair<string, Module<T>>> _children = [];
    private readonly List<KeyValuePair<string, Tensor<T>>> _buffers = [];

    /// <summary>The dotted path of this module in its model; empty for the root.</summary>
    public string Path { get; private set; } = string.Empty;

    /// <summary>True in training mode (dropout active, batch norm using batch statistics).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>This module's own parameters (not its children's), by local name.</summary>
    public IReadOnlyList<KeyValuePair<string, Var<T>>> OwnParameters => _parameters;

    /// <summary>Direct children, by local name, in registration order.</summary>
    public IReadOnlyList<KeyValuePair<string, Module<T>>> Children => _children;

    /// <summary>
    /// Every parameter with its hierarchical name, depth first in registration order. A parameter
    /// reachable along several paths (shared between tasks) appears once, under its first name.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Var<T>>> NamedParameters()
    {
        var seen = new HashSet<Var<T>>(ReferenceEqualityComparer.Instance);
        return Walk(string.Empty).Where(p => seen.Add(p.Value));
    }

    /// <summary>Every parameter, once each.</summary>
    public IEnumerable<Var<T>> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>Non-trainable state saved with the model (e.g. batch-norm running statistics), by hierarchical name.</summary>
    public IEnumerable<KeyValuePair<string, Tensor<T>>> NamedBuffers()
    {
        foreach (var b in _buffers)
        {
            yield return b;
        }

        foreach (var (name, child) in _children)
        {
            foreach (var b in child.NamedBuffers())
            {
                yield return new(name + "." + b.Key, b.Value);
            }
        }
    }

    /// <summary>Number of scalar parameters (each shared parameter counted once).</summary>
    public long ParameterCount => Parameters().Sum(p => (long)p.Shape.Length);

    /// <summary>Sets every parameter's accumulated gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters())
        {
            p.ZeroGrad();
        }
    }

    /// <summary>Stops gradients to every parameter of this module and its children (fine-tuning, or a frozen shared trunk).</summary>
    public void Freeze() => SetRequiresGrad(false);

    /// <summary>Lets gradients flow to every parameter of this module and its children again.</summary>
    public void Unfreeze() => SetRequiresGrad(true);

    /// <summary>Switches this module and its children to training mode.</summary>
    public void Train(bool training = true)
    {
        IsTraining = training;
        foreach (var c in _children)
        {
            c.Value.Train(training);
        }
    }

    /// <summary>Switches this module and its children to evaluation mode.</summary>
    public void Eval() => Train(false);

    /// <summary>Registers a parameter under <paramref name="name"/>; returns it.</summary>
    protected Var<T> RegisterParameter(string name, Tensor<T> initial)
    {
        var p = Var<T>.Parameter(initial);
        RegisterParameter(name, p);
        _owned.Add(p);
        p.Name = Qualify(name);
        return p;
    }

    /// <summary>Registers an existing parameter (shared with another module) under <paramref name="name"/>.</summary>
    protected void RegisterParameter(string name, Var<T> parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckName(name);
        _parameters.Add(new(name, parameter));
    }

    /// <summary>Registers a non-trainable buffer saved with the model.</summary>
    protected void RegisterBuffer(string name, Tensor<T> buffer)
    {
        CheckName(name);
        _buffers.Add(new(name, buffer));
    }

    /// <summary>
    /// Registers a child module under <paramref name="name"/>; returns it. A module registered under
    /// several parents (a layer shared between tasks) keeps the path its first parent gave it, so its
    /// parameters' names agree with <see cref="NamedParameters"/>, which lists them once.
    /// </summary>
    protected TModule RegisterModule<TModule>(string name, TModule module)
        where TModule : Module<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _children.Add(new(name, module));
        if (module._parent is null)
        {
            module._parent = this;
            module.SetPath(Qualify(name));
        }

        return module;
    }

    /// <summary>An ArgumentException naming this module's path, for a shape that does not fit.</summary>
    protected ArgumentException ShapeError(string what, Shape actual, string expected) =>
        new($"{(Path.Length == 0 ? GetType().Name : Path)} ({GetType().Name}): {what} has shape {actual}, expected {expected}.");

    private IEnumerable<KeyValuePair<string, Var<T>>> Walk(string prefix)
    {
        foreach (var (name, p) in _parameters)
        {
            yield return new(prefix + name, p);
        }

        foreach (var (name, child) in _children)
        {
            foreach (var p in child.Walk(prefix + name + "."))
            {
                yield return p;
            }
        }
    }

    private void SetPath(string path)
    {
        Path = path;
        foreach (var (name, p) in _parameters)
        {
            // A shared parameter keeps the name its owning module gave it.
            if (_owned.Contains(p))
            {
                p.Name = Qualify(name);
            }
        }

        foreach (var (name, child) in _children)
        {
            if (ReferenceEquals(child._parent, this))
            {
                child.SetPath(Qualify(name));
            }
        }
    }

    private readonly HashSet<Var<T>> _owned = new(ReferenceEqualityComparer.Instance);

    /// <summary>The module that registered this one first (its path comes from there), or null for a root.</summary>
    private Module<T>? _parent;

    private string Qualify(string name) => Path.Length == 0 ? name : Path + "." + name;

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{GetType().Name}: '{name}' is not a valid member name (non-empty, no dots).", nameof(name));
        }

        if (_parameters.Any(p => p.Key == name) || _children.Any(c => c.Key == name) || _buffers.Any(b => b.Key == name))
        {
            throw new ArgumentException($"{GetType().Name} at '{Path}': the name '{name}' is already registered.", nameof(name));
        }
    }

    private void SetRequiresGrad(bool value)
    {
        foreach (var p in Parameters())
        {
            p.RequiresGrad = value;
        }
    }
}
