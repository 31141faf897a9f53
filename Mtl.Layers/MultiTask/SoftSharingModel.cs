using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// Soft parameter sharing (Duong et al. 2015; Yang &amp; Hospedales 2017): one tower per task
/// (<c>towers.&lt;task&gt;</c>), all of the same architecture, each with its own parameters, tied by a
/// penalty λ·Σ_{a&lt;b} Σ_k ‖W_a,k − W_b,k‖² over corresponding parameters k of every pair of towers,
/// which the trainer adds to the loss.
/// </summary>
public sealed class SoftSharingModel<T> : Module<T>, IMultiTaskModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<string> _tasks = [];
    private readonly List<List<Var<T>>> _towerParameters = [];

    /// <summary>Creates an empty model; add towers with <see cref="AddTower"/>.</summary>
    /// <param name="lambda">λ, the strength of the penalty (≥ 0).</param>
    public SoftSharingModel(double lambda)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lambda);
        Lambda = lambda;
        Towers = RegisterModule("towers", new ModuleDict<T>());
    }

    /// <summary>λ, the strength of the penalty.</summary>
    public double Lambda { get; }

    /// <summary>The towers by task.</summary>
    public ModuleDict<T> Towers { get; }

    /// <summary>Task names in the order towers were added.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>Adds the tower of <paramref name="task"/>.</summary>
    /// <exception cref="ArgumentException">Its parameters' names or shapes differ from the first tower's.</exception>
    public SoftSharingModel<T> AddTower(string task, Layer<T> tower)
    {
        ArgumentNullException.ThrowIfNull(tower);
        var named = tower.NamedParameters().ToList();
        if (_tasks.Count > 0)
        {
            var reference = ((Layer<T>)Towers[_tasks[0]]).NamedParameters().ToList();
            bool same = reference.Count == named.Count
                && reference.Zip(named).All(p => p.First.Key == p.Second.Key && p.First.Value.Shape == p.Second.Value.Shape);
            if (!same)
            {
                string Describe(IEnumerable<KeyValuePair<string, Var<T>>> ps) => string.Join(", ", ps.Select(p => $"{p.Key}{p.Value.Shape}"));
                throw new ArgumentException($"SoftSharingModel: tower '{task}' has parameters ({Describe(named)}) but tower '{_tasks[0]}' has ({Describe(reference)}); soft sharing needs identical architectures.", nameof(tower));
            }
        }

        Towers.Add(task, tower);
        _tasks.Add(task);
        _towerParameters.Add(named.Select(p => p.Value).ToList());
        return this;
    }

    /// <summary>Runs every tower on <paramref name="input"/>; one output per task.</summary>
    public TaskOutputs<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var outputs = new TaskOutputs<T>();
        foreach (var task in _tasks)
        {
            outputs.Add(task, Forward(input, task));
        }

        return outputs;
    }

    /// <summary>Runs the tower of <paramref name="task"/> alone.</summary>
    public Var<T> Forward(Var<T> input, string task) => ((Layer<T>)Towers[task]).Forward(input);

    /// <summary>
    /// The differentiable penalty λ·Σ_{a&lt;b} Σ_k ‖W_a,k − W_b,k‖² (a scalar; its gradient for W_a,k is
    /// 2λ·Σ_{b≠a} (W_a,k − W_b,k)). Zero, as a constant, with fewer than two towers.
    /// </summary>
    public Var<T> Penalty()
    {
        Var<T>? total = null;
        for (int a = 0; a < _towerParameters.Count; a++)
        {
            for (int b = a + 1; b < _towerParameters.Count; b++)
            {
                for (int k = 0; k < _towerParameters[a].Count; k++)
                {
                    var term = (_towerParameters[a][k] - _towerParameters[b][k]).Square().Sum();
                    total = total is null ? term : total + term;
                }
            }
        }

        return total is null ? Var<T>.Constant(Mtl.Tensors.Tensor.Scalar(T.Zero)) : total * T.CreateTruncating(Lambda);
    }

    /// <summary>None: soft sharing couples the towers through <see cref="Penalty"/> instead.</summary>
    public IEnumerable<Var<T>> SharedParameters() => [];
}
