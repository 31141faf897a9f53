using Mtl.Autograd;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Training;

// One optimisation step: the task losses, the objective Σ λᵢLᵢ + Ω(θ) or the per-task gradients and
// their combination on the shared parameters, clipping and the optimizer update.
public sealed partial class Trainer<T>
{
    /// <summary>One optimisation step on a batch; returns the conflict report when it was tracked.</summary>
    private TaskConflictReport? TrainStep(Batch<T> batch, int epoch, bool trackConflict, double[] sums)
    {
        _optimizer.ZeroGrad();
        var outputs = _model.Forward(Var<T>.Constant(batch.Features));
        var losses = new List<TaskLoss<T>>(_tasks.Count);
        for (int i = 0; i < _tasks.Count; i++)
        {
            var task = _tasks[i];
            var loss = task.LossOf(outputs[task.Name], batch.Task(task.Name));
            double value = double.CreateTruncating(loss.Item());
            if (!double.IsFinite(value))
            {
                throw new InvalidOperationException($"Trainer: the loss of task '{task.Name}' is {value} at epoch {epoch}, batch {batch.Index} (training diverged; lower the learning rate or clip gradients).");
            }

            sums[i] += value;
            losses.Add(new TaskLoss<T>(task.Name, loss));
        }

        if (_options.Weighting is DynamicWeightAverage<T> dwa)
        {
            dwa.Observe(losses);
        }

        TaskConflictReport? conflict = null;
        bool perTask = _options.GradientCombiner is not null || trackConflict || _options.Weighting is GradNorm<T>;
        if (!perTask)
        {
            var objective = _options.Weighting?.Combine(losses) ?? Sum(losses);
            objective = AddRegularizers(objective);
            objective.Backward();
        }
        else
        {
            var weighted = Weigh(losses);
            var set = TaskGradients<T>.Compute(weighted, _shared);
            if (trackConflict)
            {
                conflict = set.Conflict();
            }

            if (_options.Weighting is GradNorm<T> gradNorm)
            {
                gradNorm.Step(set, _shared.Last(p => p.Shape.Rank >= 2));
            }

            set.Apply(_options.GradientCombiner ?? new SumCombiner());
            if (_taskL2 is not null || _model.Penalty() is not null || _options.Weighting is UncertaintyWeighting<T>)
            {
                // Terms of the objective that do not depend on this forward pass (it was released).
                var extra = RegularizerOnly();
                extra?.Backward();
            }
        }

        if (_options.ClipGradNorm is { } maxNorm)
        {
            GradientClipping.ClipGradNorm(_optimizer, maxNorm);
        }

        _optimizer.Step();
        if (_options.Weighting is GradNorm<T> gn)
        {
            gn.Renormalize();
        }

        return conflict;
    }

    /// <summary>Task losses scaled by the current weights, as constants, for the per-task gradient path.</summary>
    private List<TaskLoss<T>> Weigh(List<TaskLoss<T>> losses)
    {
        if (_options.Weighting is GradNorm<T> gradNorm)
        {
            return [.. gradNorm.Weigh(losses)];
        }

        if (_options.Weighting is null)
        {
            return losses;
        }

        var weights = _options.Weighting.Weights;
        var tasks = _options.Weighting.Tasks;
        return [.. losses.Select(l => new TaskLoss<T>(l.Task, l.Loss * T.CreateTruncating(weights[IndexOf(tasks, l.Task)])))];
    }

    private Var<T> AddRegularizers(Var<T> objective)
    {
        if (_taskL2 is not null)
        {
            objective += _taskL2.Compute();
        }

        if (_model.Penalty() is { } penalty)
        {
            objective += penalty;
        }

        return objective;
    }

    private Var<T>? RegularizerOnly()
    {
        Var<T>? extra = null;
        if (_taskL2 is not null)
        {
            extra = _taskL2.Compute();
        }

        if (_model.Penalty() is { } penalty)
        {
            extra = extra is null ? penalty : extra + penalty;
        }

        return extra;
    }

    private static Var<T> Sum(List<TaskLoss<T>> losses)
    {
        var total = losses[0].Loss;
        for (int i = 1; i < losses.Count; i++)
        {
            total += losses[i].Loss;
        }

        return total;
    }

    private Dictionary<string, double> TaskWeights()
    {
        var weights = new Dictionary<string, double>();
        foreach (var t in _tasks)
        {
            weights[t.Name] = 1.0;
        }

        if (_options.Weighting is { } w)
        {
            for (int i = 0; i < w.Tasks.Count; i++)
            {
                weights[w.Tasks[i]] = w.Weights[i];
            }
        }

        return weights;
    }

    private void CheckTasks(MultiTaskDataset<T> data, string role)
    {
        foreach (var t in _tasks)
        {
            if (!data.Tasks.Any(d => d.Name == t.Name))
            {
                throw new ArgumentException($"Trainer: the {role} data has no targets for task '{t.Name}' (it has: {string.Join(", ", data.Tasks.Select(d => d.Name))}).", nameof(data));
            }
        }
    }
}
