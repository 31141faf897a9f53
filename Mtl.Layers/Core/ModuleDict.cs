using System.Numerics;

namespace Mtl.Layers;

/// <summary>Named child modules in insertion order (PyTorch's nn.ModuleDict); e.g. one head per task.</summary>
public sealed class ModuleDict<T> : Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<string, Module<T>> _byName = [];

    /// <summary>Adds a module under <paramref name="name"/>.</summary>
    public TModule Add<TModule>(string name, TModule module)
        where TModule : Module<T>
    {
        RegisterModule(name, module);
        _byName.Add(name, module);
        return module;
    }

    /// <summary>The module named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No module has that name; the message lists the names there are.</exception>
    public Module<T> this[string name] => _byName.TryGetValue(name, out var m)
        ? m
        : throw new KeyNotFoundException($"{(Path.Length == 0 ? "ModuleDict" : Path)}: no module named '{name}' (have: {string.Join(", ", _byName.Keys)}).");

    /// <summary>The names in insertion order.</summary>
    public IEnumerable<string> Names => Children.Select(c => c.Key);

    /// <summary>True when a module has that name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);
}
