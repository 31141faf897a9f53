using System.Diagnostics;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Metrics;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;
using Mtl.Training.Weighting;

namespace Mtl.Training;

/// <summary>
/// Trains a multi-task model on L = Σ λᵢ Lᵢ + Ω(θ): mini-batches in a seeded order, one optimizer over
/// shared and task-specific parameters, optional dynamic loss weighting or gradient-level combination
/// on the shared parameters, validation and early stopping, and a report per epoch.
/// </summary>
/// <remarks>The same seeds (model initialisation, <see cref="TrainerOptions{T}.Seed"/>, any dropout or
/// PCGrad generators) give bitwise-identical runs, for any <see cref="MtlThreads.Count"/>.</remarks>
public sealed class Trainer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IMultiTaskModel<T> _model;
    private readonly Module<T> _module;
    private readonly List<TrainingTask<T>> _tasks;
    private readonly Optimizer<T> _optimizer;
    private readonly TrainerOptions<T> _options;
    private readonly L2Penalty<T>? _taskL2;
    private readonly List<Var<T>> _shared;
    private bool _stopRequested;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model; it must be a <see cref="Module{T}"/> (every Mtl architecture is).</param>
    /// <param name="tasks">The tasks to train, each named as in the model's outputs and the data's targets.</param>
    /// <param name="optimizer">The optimizer over the model's parameters (and any learned task weights).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <exception cref="ArgumentException">A task is unknown to the model, listed twice, or the options are out of range.</exception>
    public Trainer(IMultiTaskModel<T> model, IEnumerable<TrainingTask<T>> tasks, Optimizer<T> optimizer, TrainerOptions<T>? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(optimizer);
        _model = model;
        _module = model as Module<T> ?? throw new ArgumentException($"Trainer: the model {model.GetType().Name} is not a Module<{typeof(T).Name}>.", nameof(model));
        _tasks = [.. tasks];
        _optimizer = optimizer;
        _options = options ?? new TrainerOptions<T>();
        _options.Validate();
        if (_tasks.Count == 0)
        {
            throw new ArgumentException("Trainer: no tasks to train.", nameof(tasks));
        }

        foreach (var t in _tasks)
        {
            if (!model.Tasks.Contains(t.Name))
            {
                throw new ArgumentException($"Trainer: task '{t.Name}' is not an output of the model (its tasks: {string.Join(", ", model.Tasks)}).", nameof(tasks));
            }

            if (_tasks.Count(u => u.Name == t.Name) > 1)
            {
                throw new ArgumentException($"Trainer: task '{t.Name}' is listed twice.", nameof(tasks));
            }
        }

        if (_options.Weighting is { } weighting)
        {
            var inOptimizer = new HashSet<Var<T>>(optimizer.NamedParameters.Select(p => p.Value), ReferenceEqualityComparer.Instance);
            foreach (var (name, parameter) in weighting.NamedParameters())
            {
                if (!inOptimizer.Contains(parameter))
                {
                    throw new ArgumentException($"Trainer: the weighting's learned parameter '{name}' is not in the optimizer, so it would never change; build the optimizer over the model's and the weighting's NamedParameters().", nameof(optimizer));
                }
            }
        }

        _taskL2 = _options.TaskL2 > 0 ? L2Penalty<T>.ForPrefix(_module, _options.TaskL2, _options.TaskParameterPrefix) : null;
        _shared = [.. model.SharedParameters()];
        if ((_options.GradientCombiner is not null || _options.TrackTaskConflict || _options.Weighting is GradNorm<T>) && _shared.Count == 0)
        {
            throw new ArgumentException("Trainer: gradient-level methods, GradNorm and task-conflict tracking need shared parameters, and this model has none.", nameof(options));
        }
    }

    /// <summary>Called after every epoch with its report (logging, plotting, custom stopping rules).</summary>
    public event Action<EpochReport>? EpochEnded;

    /// <summary>The tasks being trained.</summary>
    public IReadOnlyList<TrainingTask<T>> Tasks => _tasks;

    /// <summary>Asks <see cref="Fit"/> to stop after the current epoch (from a callback).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Trains on <paramref name="train"/>, validating on <paramref name="validation"/> after each epoch.</summary>
    /// <exception cref="ArgumentException">The data lacks a task's targets, or early stopping watches a metric that is not reported.</exception>
    /// <exception cref="InvalidOperationException">A task loss became NaN or infinite (training diverged).</exception>
    public TrainingHistory Fit(MultiTaskDataset<T> train, MultiTaskDataset<T>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckTasks(train, "training");
        if (validation is not null)
        {
            CheckTasks(validation, "validation");
        }

        if (_options.EarlyStoppingMetric is not null && validation is null && _options.EarlyStoppingMetric != "train_loss")
        {
            throw new ArgumentException($"Trainer: early stopping on '{_options.EarlyStoppingMetric}' needs a validation set.", nameof(validation));
        }

        var history = new TrainingHistory();
        var batcher = new MiniBatcher<T>(train, _options.BatchSize, _options.Seed, _options.DropLast);
        var clock = Stopwatch.StartNew();
        var scheduler = _options.Schedule is null ? null : new LearningRateScheduler<T>(_optimizer, _options.Schedule);
        string? watched = _options.EarlyStoppingMetric;
        bool higherIsBetter = watched is not null && EvaluationResult.HigherIsBetter(watched);
        double best = higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        Tensor<T>[]? bestParameters = null;
        _stopRequested = false;

        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            _module.Train();
            var sums = new double[_tasks.Count];
            int batches = 0;
            TaskConflictReport? conflict = null;
            foreach (var batch in batcher.Epoch(epoch - 1))
            {
                var c = TrainStep(batch, epoch, trackConflict: _options.TrackTaskConflict && batches == 0, sums);
                conflict ??= c;
                batches++;
            }

            if (_options.Weighting is DynamicWeightAverage<T> dwa)
            {
                dwa.EndEpoch();
            }

            double learningRate = _optimizer.Groups[0].LearningRate;
            scheduler?.Step();
            var validationResult = validation is null ? null : Evaluate(validation);
            var report = new EpochReport
            {
                Epoch = epoch,
                Epochs = _options.Epochs,
                TrainLoss = _tasks.Select((t, i) => (t.Name, sums[i] / Math.Max(batches, 1))).ToDictionary(p => p.Name, p => p.Item2),
                Validation = validationResult,
                TaskWeights = TaskWeights(),
                Conflict = conflict,
                LearningRate = learningRate,
                Duration = epochClock.Elapsed,
                Elapsed = clock.Elapsed,
            };
            history.Add(report);
            EpochEnded?.Invoke(report);

            if (watched is not null)
            {
                double value = report.Metric(watched) ?? throw new ArgumentException($"Trainer: early stopping watches '{watched}', which the epoch report does not have (use val_loss, train_loss or <task>.<metric>).", nameof(train));
                if (higherIsBetter ? value > best : value < best)
                {
                    best = value;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    if (_options.RestoreBestParameters)
                    {
                        bestParameters = Snapshot(bestParameters);
                    }
                }
                else if (++sinceBest >= _options.Patience)
                {
                    history.StoppedEarly = true;
                    break;
                }
            }
            else
            {
                bestEpoch = epoch;
            }

            if (_stopRequested)
            {
                history.StoppedEarly = epoch < _options.Epochs;
                break;
            }
        }

        if (bestParameters is not null && bestEpoch != history.Epochs.Count)
        {
            Restore(bestParameters);
        }

        history.BestEpoch = bestEpoch;
        history.Duration = clock.Elapsed;
        return history;
    }

    /// <summary>Losses and metrics per task on <paramref name="data"/> (evaluation mode, no gradients).</summary>
    public EvaluationResult Evaluate(MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckTasks(data, "evaluation");
        var predictions = Predict(data);
        var losses = new Dictionary<string, double>();
        var regression = new Dictionary<string, RegressionReport>();
        var classification = new Dictionary<string, ClassificationReport>();
        using (Tape.NoGrad())
        {
            foreach (var task in _tasks)
            {
                var target = data.Task(task.Name);
                var prediction = predictions[task.Name];
                losses[task.Name] = target.PresentCount == 0 ? 0 : double.CreateTruncating(task.LossOf(Var<T>.Constant(prediction), target).Item());
                if (target.Kind == TaskKind.Regression)
                {
                    regression[task.Name] = TaskMetrics.Regression(target, prediction);
                }
                else
                {
                    classification[task.Name] = TaskMetrics.Classification(target, prediction);
                }
            }
        }

        return new EvaluationResult(losses, regression, classification);
    }

    /// <summary>The model's outputs for every row of <paramref name="data"/>, per task (evaluation mode).</summary>
    public IReadOnlyDictionary<string, Tensor<T>> Predict(MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        bool wasTraining = _module.IsTraining;
        _module.Eval();
        var result = new Dictionary<string, Tensor<T>>();
        try
        {
            using (Tape.NoGrad())
            {
                var batcher = new MiniBatcher<T>(data, _options.EvaluationBatchSize, 0, dropLast: false, shuffle: false);
                foreach (var batch in batcher.Epoch(0))
                {
                    var outputs = _model.Forward(Var<T>.Constant(batch.Features));
                    foreach (var task in _tasks)
                    {
                        var output = outputs[task.Name].Data;
                        int width = output.RowLength;
                        if (!result.TryGetValue(task.Name, out var all))
                        {
                            all = new Tensor<T>(data.Rows, width);
                            result[task.Name] = all;
                        }

                        var src = output.ReadOnlySpan;
                        var dst = all.Span;
                        for (int i = 0; i < batch.Size; i++)
                        {
                            src.Slice(i * width, width).CopyTo(dst.Slice(batch.SourceRows[i] * width, width));
                        }
                    }
                }
            }
        }
        finally
        {
            _module.Train(wasTraining);
        }

        return result;
    }

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

    private Tensor<T>[] Snapshot(Tensor<T>[]? into)
    {
        var parameters = _module.Parameters().ToArray();
        into ??= parameters.Select(p => new Tensor<T>(p.Shape)).ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i].Data.CopyTo(into[i]);
        }

        return into;
    }

    private void Restore(Tensor<T>[] saved)
    {
        var parameters = _module.Parameters().ToArray();
        for (int i = 0; i < parameters.Length; i++)
        {
            saved[i].CopyTo(parameters[i].Data);
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"Trainer: the weighting has no weight for task '{name}'.");
    }
}
