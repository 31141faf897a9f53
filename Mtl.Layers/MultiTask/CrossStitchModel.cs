using System.Globalization;
using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Layers;

/// <summary>
/// Cross-stitch networks (Misra et al. 2016): one tower per task (<c>towers.&lt;task&gt;</c>, each a
/// <see cref="Sequential{T}"/> with the same number of layers) run side by side on the same input, and
/// after chosen layers a <see cref="CrossStitchUnit{T}"/> (<c>stitch.&lt;k&gt;.alpha</c>, k counting the
/// stitch points in order) replaces each task's activation by a learned mix of all tasks' activations.
/// </summary>
public sealed class CrossStitchModel<T> : Module<T>, IMultiTaskModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<string> _tasks;
    private readonly List<Sequential<T>> _towers;
    private readonly Dictionary<int, CrossStitchUnit<T>> _stitchAfter = [];

    /// <summary>Creates the model.</summary>
    /// <param name="towers">Task name → tower, in task order; every tower has the same number of layers.</param>
    /// <param name="stitchAfter">Layer counts after which to stitch (1 = after each tower's first layer), ascending, each in 1 .. layers.</param>
    /// <param name="selfWeight">Initial α_ii of every unit (0.9 as in the paper).</param>
    /// <exception cref="ArgumentException">No towers, towers of different lengths, or a stitch point out of range.</exception>
    public CrossStitchModel(IReadOnlyList<KeyValuePair<string, Sequential<T>>> towers, IReadOnlyList<int> stitchAfter, double selfWeight = 0.9)
    {
        ArgumentNullException.ThrowIfNull(towers);
        ArgumentNullException.ThrowIfNull(stitchAfter);
        if (towers.Count == 0)
        {
            throw new ArgumentException("CrossStitchModel: needs at least one tower.", nameof(towers));
        }

        int depth = towers[0].Value.Count;
        if (towers.Any(t => t.Value.Count != depth))
        {
            throw new ArgumentException($"CrossStitchModel: towers must have aligned layers, but have {string.Join(", ", towers.Select(t => $"{t.Key}: {t.Value.Count}"))} layers.", nameof(towers));
        }

        for (int k = 0; k < stitchAfter.Count; k++)
        {
            if (stitchAfter[k] < 1 || stitchAfter[k] > depth || (k > 0 && stitchAfter[k] <= stitchAfter[k - 1]))
            {
                throw new ArgumentException($"CrossStitchModel: stitch points ({string.Join(", ", stitchAfter)}) must be ascending within 1 .. {depth}.", nameof(stitchAfter));
            }
        }

        Towers = RegisterModule("towers", new ModuleDict<T>());
        foreach (var (task, tower) in towers)
        {
            Towers.Add(task, tower);
        }

        Stitches = RegisterModule("stitch", new ModuleDict<T>());
        for (int k = 0; k < stitchAfter.Count; k++)
        {
            _stitchAfter[stitchAfter[k]] = Stitches.Add(k.ToString(CultureInfo.InvariantCulture), new CrossStitchUnit<T>(towers.Count, selfWeight));
        }

        _tasks = [.. towers.Select(t => t.Key)];
        _towers = [.. towers.Select(t => t.Value)];
        Depth = depth;
    }

    /// <summary>The towers by task.</summary>
    public ModuleDict<T> Towers { get; }

    /// <summary>The cross-stitch units, named 0, 1, ... in the order of their stitch points.</summary>
    public ModuleDict<T> Stitches { get; }

    /// <summary>Task names in tower order.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>Number of layers in each tower.</summary>
    public int Depth { get; }

    /// <summary>Runs all towers layer by layer on <paramref name="input"/>, stitching at the stitch points; one output per task.</summary>
    public TaskOutputs<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        IReadOnlyList<Var<T>> xs = [.. _towers.Select(_ => input)];
        for (int layer = 0; layer < Depth; layer++)
        {
            xs = [.. xs.Select((x, t) => _towers[t][layer].Forward(x))];
            if (_stitchAfter.TryGetValue(layer + 1, out var unit))
            {
                xs = unit.Forward(xs);
            }
        }

        var outputs = new TaskOutputs<T>();
        for (int t = 0; t < _tasks.Count; t++)
        {
            outputs.Add(_tasks[t], xs[t]);
        }

        return outputs;
    }

    /// <summary>One task's output. Cross-stitch units mix every tower at each stitch, so all towers run.</summary>
    public Var<T> Forward(Var<T> input, string task) => Forward(input)[task];

    /// <summary>The cross-stitch mixing matrices, the only parameters every task's loss reaches.</summary>
    public IEnumerable<Var<T>> SharedParameters() => Stitches.Parameters();

    /// <inheritdoc />
    public Var<T>? Penalty() => null;
}
