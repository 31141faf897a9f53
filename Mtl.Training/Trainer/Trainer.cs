using System.Diagnostics;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;
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
public sealed partial class Trainer<T>
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
}
