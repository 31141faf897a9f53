using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Training.Weighting;

/// <summary>
/// The per-task gradients of one forward pass, each flattened over the shared parameters (in their given
/// order) in float64, with the task losses' values. Made by <see cref="TaskGradients{T}.Compute"/>.
/// </summary>
public sealed class TaskGradientSet<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly double[] _losses;
    private readonly double[][] _gradients;
    private readonly Var<T>[] _parameters;
    private readonly int[] _offsets;

    internal TaskGradientSet(string[] tasks, double[] losses, double[][] gradients, Var<T>[] parameters, int[] offsets)
    {
        _tasks = tasks;
        _losses = losses;
        _gradients = gradients;
        _parameters = parameters;
        _offsets = offsets;
    }

    /// <summary>Task names, in the order of the losses given.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The task losses' values.</summary>
    public IReadOnlyList<double> Losses => _losses;

    /// <summary>Per-task flat gradients gᵢ over the shared parameters.</summary>
    public IReadOnlyList<double[]> Gradients => _gradients;

    /// <summary>The shared parameters, in flattening order.</summary>
    public IReadOnlyList<Var<T>> Parameters => _parameters;

    /// <summary>Length of each flat gradient (the number of shared scalars).</summary>
    public int Length => _offsets[^1];

    /// <summary>The flat gradient of <paramref name="task"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public double[] this[string task] => _gradients[IndexOf(task)];

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

        return _gradients[task].AsSpan(_offsets[p], _offsets[p + 1] - _offsets[p]);
    }

    /// <summary>Per-task gradient norms and their pairwise cosines.</summary>
    public TaskConflictReport Conflict() => TaskConflictReport.From(_tasks, _gradients);

    /// <summary>The combined gradient of the shared parameters under <paramref name="combiner"/>.</summary>
    public double[] Combine(IGradientCombiner combiner)
    {
        ArgumentNullException.ThrowIfNull(combiner);
        return combiner.Combine(_gradients);
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
    /// gradients is zero, and is skipped.
    /// </summary>
    /// <exception cref="ArgumentException">The length differs from <see cref="Length"/>, or a non-zero value
    /// targets a parameter no task reached.</exception>
    public void Apply(ReadOnlySpan<double> combined)
    {
        if (combined.Length != Length)
        {
            throw new ArgumentException($"task gradients: the combined gradient has {combined.Length} values for {Length} shared scalars.", nameof(combined));
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
