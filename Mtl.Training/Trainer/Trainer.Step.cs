using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Training;

// One optimisation step: the losses of the tasks with labelled rows, the method's terms, then either one
// backward pass of Σ Jₜ + Ω(θ) or the per-task gradients and their combination on the shared parameters,
// clipping, the optimizer update and the method's after-step hook.
public sealed partial class Trainer<T>
{
    /// <summary>One optimisation step on a step's data; returns the conflict report when it was tracked.</summary>
    private TaskConflictReport? TrainStep(StepInput input, int epoch, bool trackConflict, EpochTotals totals)
    {
        // Buffers kept across steps, so that a step allocates nothing of its own.
        var labelled = _labelled;
        var values = _values;
        int present = 0;
        for (int i = 0; i < _tasks.Count; i++)
        {
            labelled[i] = input.Labelled(i);
            values[i] = double.NaN;
            totals.AddRows(i, labelled[i]);
            present += labelled[i] > 0 ? 1 : 0;
        }

        if (present == 0)
        {
            // No task has a label in this batch: there is nothing to learn from it.
            Report(input, epoch, labelled, values);
            return null;
        }

        _optimizer.ZeroGrad();
        bool affinity = _affinity is not null && _steps++ % _options.TaskAffinityInterval == 0;
        bool perTask = _method.NeedsTaskGradients || trackConflict || affinity;
        Var<T>? representation = null, detached = null;
        TaskOutputs<T> outputs;
        if (perTask && _representationModel is { } split)
        {
            // Per-task gradients on the representation: the heads read z detached, so each task's backward
            // stops at z; the combination then goes through the trunk once (TaskGradientSet.Apply). Only a
            // single-input model is one (the constructors see to it).
            representation = split.Represent(Var<T>.Constant(((SharedInput)input).Batch.Features));
            detached = representation.Detach(requiresGrad: true);
            outputs = split.ForwardHeads(detached);
        }
        else
        {
            outputs = input.Forward();
        }

        var losses = _losses;
        losses.Clear();
        for (int i = 0; i < _tasks.Count; i++)
        {
            if (labelled[i] == 0)
            {
                continue;
            }

            var task = _tasks[i];
            var loss = task.LossOf(outputs[task.Name], input.Target(i));
            double value = double.CreateTruncating(loss.Item());
            if (!double.IsFinite(value))
            {
                throw new InvalidOperationException($"Trainer: the loss of task '{task.Name}' is {value} at epoch {epoch}, batch {input.Index} (training diverged; lower the learning rate or clip gradients).");
            }

            totals.AddLoss(i, value);
            values[i] = value;
            losses.Add(new TaskLoss<T>(task.Name, loss));
        }

        var terms = Terms(losses);
        TaskConflictReport? conflict = null;
        if (!perTask)
        {
            Sum(terms, _taskL2?.Compute(), ModelPenalty())!.Backward();
        }
        else
        {
            var set = representation is null ? _taskGradients!.OnParameters(terms) : _taskGradients!.OnRepresentation(terms, representation, detached!);
            conflict = trackConflict ? set.Conflict() : null;
            if (affinity)
            {
                MeasureAffinity(input, set);
            }

            set.Apply(_method.CombineGradients(set) ?? set.Sum());

            // Ω(θ) does not depend on this forward pass (whose tape is released): its gradient goes to the
            // parameters directly, outside the combination.
            Sum([], _taskL2?.Compute(), ModelPenalty())?.Backward();
        }

        if (_options.ClipGradNorm is { } maxNorm)
        {
            GradientClipping.ClipGradNorm(_optimizer, maxNorm);
        }

        _optimizer.Step();
        _method.AfterStep();
        Report(input, epoch, labelled, values);
        return conflict;
    }

    /// <summary>The method's terms, checked to be one per loss in the same order.</summary>
    private IReadOnlyList<TaskLoss<T>> Terms(List<TaskLoss<T>> losses)
    {
        var terms = _method.Weigh(losses);
        bool matches = terms.Count == losses.Count;
        for (int i = 0; matches && i < terms.Count; i++)
        {
            matches = terms[i].Task == losses[i].Task && terms[i].Loss is not null;
        }

        return matches ? terms : throw new InvalidOperationException(
            $"Trainer: the multi-task method '{_method.Name}' returned terms for [{string.Join(", ", terms.Select(t => t.Task))}] from losses of [{string.Join(", ", losses.Select(l => l.Task))}]; Weigh must return one term per loss, in order.");
    }

    /// <summary>((Σₜ Jₜ + Ω_heads) + Ω_model), each part present or not (null when none is); the model's penalty is built once per step.</summary>
    private static Var<T>? Sum(IReadOnlyList<TaskLoss<T>> terms, Var<T>? taskL2, Var<T>? penalty)
    {
        Var<T>? total = null;
        foreach (var term in terms)
        {
            total = total is null ? term.Loss : total + term.Loss;
        }

        total = taskL2 is null ? total : total is null ? taskL2 : total + taskL2;
        return penalty is null ? total : total is null ? penalty : total + penalty;
    }

    /// <summary>Raises <see cref="StepEnded"/> (the report is built only when someone listens).</summary>
    private void Report(StepInput input, int epoch, int[] labelled, double[] losses)
    {
        if (StepEnded is not { } handler)
        {
            return;
        }

        handler(new StepReport
        {
            Epoch = epoch,
            Batch = input.Index,
            Rows = input.Rows,
            LabelledRows = _tasks.Select((t, i) => (t.Name, labelled[i])).ToDictionary(p => p.Name, p => p.Item2),
            Losses = _tasks.Select((t, i) => (t.Name, i)).Where(p => labelled[p.i] > 0).ToDictionary(p => p.Name, p => losses[p.i]),
        });
    }

    /// <summary>The architecture's own regulariser (soft sharing's), or null.</summary>
    private Var<T>? ModelPenalty() => _model is not null ? _model.Penalty() : _multiInputModel!.Penalty();

    private Dictionary<string, double> TaskWeights() => _tasks.ToDictionary(t => t.Name, t => _method.WeightOf(t.Name));
}
