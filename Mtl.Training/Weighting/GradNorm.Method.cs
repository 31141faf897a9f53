using Mtl.Autograd;

namespace Mtl.Training.Weighting;

// GradNorm as a multi-task method in a trainer: binding to the last shared weight matrix, the update of the
// weights on each step's task gradients, the renormalisation after the step, and the saved state.
public sealed partial class GradNorm<T>
{
    /// <summary>Checks the tasks and picks the last shared weight matrix, on which G_W is measured.</summary>
    /// <exception cref="ArgumentException">The tasks differ from the trainer's, or no shared parameter is a matrix.</exception>
    public void Bind(MultiTaskSetup<T> setup)
    {
        TaskIndex.Bind(Name, _tasks, setup);
        _lastSharedWeight = setup.SharedParameters.LastOrDefault(p => p.Shape.Rank >= 2)
            ?? throw new ArgumentException($"GradNorm: G_W is measured on the last shared layer's weights, but none of the model's {setup.SharedParameters.Count} shared parameters is a matrix.", nameof(setup));
    }

    /// <summary>
    /// The GradNorm update of the weights from this step's per-task gradients (of the terms from <see cref="Weigh"/>):
    /// G_W⁽ⁱ⁾ is the norm of each task's row on the bound weight matrix (in the representation space, where the rows
    /// are gradients on the shared representation, the norm of the whole row, as LibMTL's <c>rep_grad</c>). Returns null: the gradients' combination is
    /// the sum's, or the combiner's GradNorm is paired with.
    /// </summary>
    /// <exception cref="InvalidOperationException">The method was not bound to a trainer.</exception>
    public double[]? CombineGradients(TaskGradientSet<T> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        var weight = _lastSharedWeight ?? throw new InvalidOperationException("GradNorm: not bound to a trainer; call Step(gradients, lastSharedWeight) when training by hand.");
        var at = new int[gradients.Tasks.Count];
        var losses = new double[at.Length];
        var norms = new double[at.Length];
        for (int j = 0; j < at.Length; j++)
        {
            at[j] = IndexIn(_tasks, gradients.Tasks[j]);
            losses[j] = _stepLosses[at[j]];
            var slice = gradients.Space == TaskGradientSpace.Representation ? gradients.Gradients[j] : gradients.Slice(j, weight);
            norms[j] = Math.Sqrt(TensorPrimitives.Dot(slice, slice));
        }

        StepOn(at, losses, norms);
        return null;
    }

    /// <summary><see cref="Renormalize"/>, after the optimizer's step.</summary>
    public void AfterStep() => Renormalize();

    /// <summary>Writes the weights, the initial losses and the last L_grad.</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("weights", [.. Weights]);
        state.Set("initial_losses", _initialLosses ?? []);
        state.Set("last_loss", [LastGradNormLoss]);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var weights = state.GetArray("weights", _tasks.Length);
        var initial = state.GetArray("initial_losses");
        double last = state.GetArray("last_loss", 1)[0];
        if (weights.Any(v => !(v > 0) || !double.IsFinite(v)) || (initial.Length != 0 && initial.Length != _tasks.Length) || initial.Any(v => !(v > 0 || double.IsNaN(v)) || double.IsInfinity(v)))
        {
            throw new InvalidDataException($"GradNorm: the saved weights ({string.Join(", ", weights)}) or initial losses ({string.Join(", ", initial)}) are not valid for {_tasks.Length} tasks.");
        }

        for (int i = 0; i < weights.Length; i++)
        {
            _weights[i].Data.Span[0] = T.CreateTruncating(weights[i]);
        }

        _initialLosses = initial.Length == 0 ? null : initial;
        LastGradNormLoss = last;
    }
}
