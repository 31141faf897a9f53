using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Weighting;

/// <summary>
/// The per-task gradients of one forward pass, each flattened in float64 over the shared parameters (in their
/// given order) or over the shared representation (see <see cref="Space"/>), with the task losses' values. Made
/// by <see cref="TaskGradients{T}.Compute"/>, or by the trainer, which reuses one set's buffers from step to
/// step: read a set during the step it was given for.
/// </summary>
public sealed class TaskGradientSet<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TaskRowPasses<T> _passes = new();
    private string[] _tasks;
    private double[] _losses;
    private T[][] _rows;
    private double[][] _wide = [];
    private bool _widened;
    private Var<T>[] _parameters;
    private int[] _offsets;
    private Var<T>? _representation;
    private Tensor<T>? _seed;
    private double[]? _result;
    private double[,] _gram = new double[0, 0];
    private double[,] _gramCopy = new double[0, 0];
    private bool _gramReady;
    private double[] _weights = [];

    internal TaskGradientSet(string[] tasks, double[] losses, T[][] rows, Var<T>[] parameters, int[] offsets)
    {
        _tasks = tasks;
        _losses = losses;
        _rows = rows;
        _parameters = parameters;
        _offsets = offsets;
    }

    /// <summary>
    /// Points the set at a new step's rows (the arrays are the caller's, reused): on parameters, or, with a
    /// <paramref name="representation"/> z, on the detached leaf <paramref name="parameters"/>[0] that the heads
    /// read, so that <see cref="Apply(ReadOnlySpan{double})"/> pushes the combination on through z with
    /// <paramref name="seed"/> (a tensor of z's shape) as the backward seed.
    /// </summary>
    internal void Reset(string[] tasks, double[] losses, T[][] rows, Var<T>[] parameters, int[] offsets, Var<T>? representation, Tensor<T>? seed)
    {
        _tasks = tasks;
        _losses = losses;
        _rows = rows;
        _widened = false;
        _gramReady = false;
        _parameters = parameters;
        _offsets = offsets;
        _representation = representation;
        _seed = seed;
    }

    /// <summary>Whether the rows are gradients on the shared parameters or on the shared representation.</summary>
    public TaskGradientSpace Space => _representation is null ? TaskGradientSpace.Parameters : TaskGradientSpace.Representation;

    /// <summary>Task names, in the order of the losses given.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The task losses' values.</summary>
    public IReadOnlyList<double> Losses => _losses;

    /// <summary>
    /// Per-task flat gradients gᵢ over the shared parameters, in float64. The set keeps the rows in the model's
    /// precision; for a float model they are widened here on the first call of a step (a Gram-based method, see
    /// <see cref="IGramCombiner"/>, never needs this).
    /// </summary>
    public IReadOnlyList<double[]> Gradients
    {
        get
        {
            if (typeof(T) == typeof(double))
            {
                return (double[][])(object)_rows;
            }

            if (!_widened)
            {
                if (_wide.Length != _rows.Length || (_rows.Length > 0 && _wide[0].Length != _rows[0].Length))
                {
                    _wide = [.. _rows.Select(r => new double[r.Length])];
                }

                for (int i = 0; i < _rows.Length; i++)
                {
                    TaskGradients<T>.ToDouble(_rows[i], _wide[i]);
                }

                _widened = true;
            }

            return _wide;
        }
    }

    /// <summary>Task <paramref name="task"/>'s row in the model's precision.</summary>
    public ReadOnlySpan<T> Row(int task) => _rows[task];

    /// <summary>
    /// The Gram matrix Gᵢⱼ = gᵢ·gⱼ of the rows, in float64 (torchjd's Gramian JJᵀ): computed once per step, one pass
    /// over the rows split across threads, the same bits for any thread count. A new array the caller owns.
    /// </summary>
    public double[,] Gram() => (double[,])GramOfStep().Clone();

    /// <summary>
    /// d = Σᵢ αᵢgᵢ, in float64, in <see cref="ResultBuffer"/> (one pass over the rows, split across threads), ready
    /// to return from <see cref="IMultiTaskMethod{T}.CombineGradients"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Not one weight per task.</exception>
    public double[] Combination(ReadOnlySpan<double> weights)
    {
        if (weights.Length != _rows.Length)
        {
            throw new ArgumentException($"task gradients: {weights.Length} weights for {_rows.Length} tasks.", nameof(weights));
        }

        // The pass writes every element: the buffer needs no clearing first.
        var d = _result is { } buffer && buffer.Length == Length ? buffer : _result = new double[Length];
        _passes.Combination(_rows, _rows.Length, weights, d);
        return d;
    }

    /// <summary>
    /// d = Σᵢ αᵢgᵢ with <paramref name="combiner"/>'s weights from the step's Gram matrix (given a copy, which it may
    /// change), in <see cref="ResultBuffer"/>: the rows are read once for G and once for d, never widened.
    /// </summary>
    internal double[] CombinationOf(IGramCombiner combiner)
    {
        combiner.WeightsInto(_tasks, GramScratch(), Weights(0));
        return Combination(_weights);
    }

    /// <summary>The plain sum Σᵢ gᵢ, in <see cref="ResultBuffer"/>.</summary>
    internal double[] Sum() => Combination(Weights(1));

    /// <summary>The set's weights buffer, one per task, filled with <paramref name="value"/>.</summary>
    private double[] Weights(double value)
    {
        if (_weights.Length != _rows.Length)
        {
            _weights = new double[_rows.Length];
        }

        Array.Fill(_weights, value);
        return _weights;
    }

    /// <summary>The step's Gram matrix copied into a buffer the set reuses (for a combiner, which may change it).</summary>
    private double[,] GramScratch()
    {
        var gram = GramOfStep();
        int k = _rows.Length;
        if (_gramCopy.GetLength(0) != k)
        {
            _gramCopy = new double[k, k];
        }

        Array.Copy(gram, _gramCopy, gram.Length);
        return _gramCopy;
    }

    private double[,] GramOfStep()
    {
        int k = _rows.Length;
        if (!_gramReady)
        {
            if (_gram.GetLength(0) != k)
            {
                _gram = new double[k, k];
            }

            _passes.Gram(_rows, k, Length, _gram);
            _gramReady = true;
        }

        return _gram;
    }

    /// <summary>The shared parameters, in flattening order; in the <see cref="TaskGradientSpace.Representation"/>
    /// space, the one detached representation the heads read.</summary>
    public IReadOnlyList<Var<T>> Parameters => _parameters;

    /// <summary>Length of each flat gradient (the number of shared scalars, or batch·width of the representation).</summary>
    public int Length => _offsets[^1];

    /// <summary>The flat gradient of <paramref name="task"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public double[] this[string task] => Gradients[IndexOf(task)];

    /// <summary>The part of task <paramref name="task"/>'s gradient that belongs to <paramref name="parameter"/>
    /// (e.g. the last shared layer's weight, for GradNorm).</summary>
    /// <exception cref="ArgumentException">The parameter is not one of the shared parameters.</exception>
    public ReadOnlySpan<double> Slice(int task, Var<T> parameter)
    {
        int p = Array.IndexOf(_parameters, parameter);
        if (p < 0)
        {
            throw new ArgumentException($"task gradients: {parameter} is not one of the {_parameters.Length} shared parameters.", nameof(parameter));
        }

        return Gradients[task].AsSpan(_offsets[p], _offsets[p + 1] - _offsets[p]);
    }

    /// <summary>
    /// A buffer of <see cref="Length"/> zeros that a method may fill with its combination and return from
    /// <see cref="IMultiTaskMethod{T}.CombineGradients"/>, so that a step allocates nothing for it. It belongs to
    /// the set: the same array every call, until the next step.
    /// </summary>
    public double[] ResultBuffer()
    {
        if (_result is null || _result.Length != Length)
        {
            _result = new double[Length];
        }
        else
        {
            Array.Clear(_result);
        }

        return _result;
    }

    /// <summary>Per-task gradient norms and their pairwise cosines.</summary>
    public TaskConflictReport Conflict() => TaskConflictReport.FromGram(_tasks, GramOfStep());

    /// <summary>The combined gradient of the shared parameters under <paramref name="combiner"/>, which is told each
    /// row's task (so that one keeping per-task state, such as GradVac's, recognises them).</summary>
    public double[] Combine(IGradientCombiner combiner)
    {
        ArgumentNullException.ThrowIfNull(combiner);
        if (combiner is IGramCombiner gramCombiner)
        {
            return (double[])CombinationOf(gramCombiner).Clone();
        }

        var combined = new double[Length];
        combiner.CombineInto(_tasks, Gradients, combined);
        return combined;
    }

    /// <summary>Combines the task gradients and adds the result to the shared parameters' gradients; returns it.</summary>
    public double[] Apply(IGradientCombiner combiner)
    {
        var combined = Combine(combiner);
        Apply(combined);
        return combined;
    }

    /// <summary>
    /// Adds a combined flat gradient to the shared parameters' gradients (accumulating, as a backward would).
    /// A parameter no task's loss reached has no gradient buffer; its part of a combination of the task
    /// gradients is zero, and is skipped. In the <see cref="TaskGradientSpace.Representation"/> space the
    /// combination is the representation's gradient: it is pushed through the trunk by one backward pass.
    /// </summary>
    /// <exception cref="ArgumentException">The length differs from <see cref="Length"/>, or a non-zero value
    /// targets a parameter no task reached.</exception>
    public void Apply(ReadOnlySpan<double> combined)
    {
        if (combined.Length != Length)
        {
            throw new ArgumentException($"task gradients: the combined gradient has {combined.Length} values for {Length} shared scalars.", nameof(combined));
        }

        if (_representation is { } z)
        {
            TensorPrimitives.ConvertTruncating<double, T>(combined, _seed!.Span);

            if (z.RequiresGrad)
            {
                z.Backward(_seed);
            }

            return;
        }

        for (int p = 0; p < _parameters.Length; p++)
        {
            var part = combined[_offsets[p].._offsets[p + 1]];
            if (_parameters[p].Grad is not { } grad)
            {
                if (part.ContainsAnyExcept(0.0))
                {
                    throw new ArgumentException($"task gradients: {_parameters[p]} received no gradient from any task, but the combined gradient is non-zero there.", nameof(combined));
                }

                continue;
            }

            var g = grad.Span;
            for (int i = 0; i < g.Length; i++)
            {
                g[i] += T.CreateTruncating(part[i]);
            }
        }
    }

    private int IndexOf(string task)
    {
        int i = Array.IndexOf(_tasks, task);
        return i >= 0 ? i : throw new KeyNotFoundException($"task gradients: no task named '{task}' (have: {string.Join(", ", _tasks)}).");
    }
}
