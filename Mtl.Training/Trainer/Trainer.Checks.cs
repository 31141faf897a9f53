using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Training.Data;

namespace Mtl.Training;

// What the trainer checks before it trains (tasks, optimizer, data) and after (the last update).
public sealed partial class Trainer<T>
{
    private void CheckTaskList(IReadOnlyList<string> modelTasks)
    {
        if (_tasks.Count == 0)
        {
            throw new ArgumentException("Trainer: no tasks to train.", "tasks");
        }

        foreach (var t in _tasks)
        {
            if (!modelTasks.Contains(t.Name))
            {
                throw new ArgumentException($"Trainer: task '{t.Name}' is not an output of the model (its tasks: {string.Join(", ", modelTasks)}).", "tasks");
            }

            if (_tasks.Count(u => u.Name == t.Name) > 1)
            {
                throw new ArgumentException($"Trainer: task '{t.Name}' is listed twice.", "tasks");
            }
        }
    }

    /// <summary>The optimizer must hold the method's learned parameters, and nothing that is neither the
    /// model's nor the method's: such a parameter never gets a gradient from this trainer, so an optimizer
    /// built over another model's parameters would train nothing, silently. (A part of the model is fine.)</summary>
    private void CheckOptimizer()
    {
        var inOptimizer = new HashSet<Var<T>>(_optimizer.NamedParameters.Select(p => p.Value), ReferenceEqualityComparer.Instance);
        foreach (var (name, parameter) in _method.NamedParameters())
        {
            if (!inOptimizer.Contains(parameter))
            {
                throw new ArgumentException($"Trainer: the multi-task method's learned parameter '{name}' is not in the optimizer, so it would never change; build the optimizer over the model's and the method's NamedParameters().", "optimizer");
            }
        }

        var known = new HashSet<Var<T>>(_module.Parameters(), ReferenceEqualityComparer.Instance);
        known.UnionWith(_method.NamedParameters().Select(p => p.Value));
        var foreign = _optimizer.NamedParameters.Where(p => !known.Contains(p.Value)).Select(p => p.Key).ToList();
        if (foreign.Count > 0)
        {
            throw new ArgumentException(
                $"Trainer: {foreign.Count} of the optimizer's {_optimizer.NamedParameters.Count} parameters are not a parameter of the model or of the multi-task method ({string.Join(", ", foreign.Take(5))}{(foreign.Count > 5 ? ", …" : string.Empty)}); was the optimizer built over another model?",
                "optimizer");
        }
    }

    /// <summary>Rows, task targets and the losses' fit to them, before any training.</summary>
    private void CheckData(MultiTaskDataset<T> data, string role)
    {
        if (data.Rows == 0)
        {
            throw new ArgumentException($"Trainer: the {role} data has no rows.", nameof(data));
        }

        CheckTasks(data, role);
        foreach (var t in _tasks)
        {
            t.CheckTarget(data.Task(t.Name));
        }
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

    /// <summary>
    /// The loss is checked before every update, so the last update of a run would go unchecked: after it, the
    /// parameters must be finite and the last batch's losses too (evaluated without gradients, in evaluation
    /// mode, so that no dropout generator moves and a later run is unchanged).
    /// </summary>
    /// <exception cref="InvalidOperationException">The last update diverged.</exception>
    private void CheckLastUpdate(StepInput lastStep, int epoch)
    {
        foreach (var (name, p) in _module.NamedParameters().Concat(_method.NamedParameters()))
        {
            if (!TensorAllFinite(p))
            {
                throw new InvalidOperationException($"Trainer: training diverged in the last update (epoch {epoch}): parameter '{name}' is no longer finite; lower the learning rate or clip gradients.");
            }
        }

        bool wasTraining = _module.IsTraining;
        _module.Eval();
        try
        {
            using (Tape.NoGrad())
            {
                var outputs = lastStep.Forward();
                for (int i = 0; i < _tasks.Count; i++)
                {
                    if (lastStep.Labelled(i) == 0)
                    {
                        continue;
                    }

                    var task = _tasks[i];
                    double value = double.CreateTruncating(task.LossOf(outputs[task.Name], lastStep.Target(i)).Item());
                    if (!double.IsFinite(value))
                    {
                        throw new InvalidOperationException($"Trainer: training diverged in the last update (epoch {epoch}): after it, the loss of task '{task.Name}' on the last batch is {value}; lower the learning rate or clip gradients.");
                    }
                }
            }
        }
        finally
        {
            _module.Train(wasTraining);
        }
    }

    private static bool TensorAllFinite(Var<T> p)
    {
        foreach (T v in p.Data.ReadOnlySpan)
        {
            if (!T.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
