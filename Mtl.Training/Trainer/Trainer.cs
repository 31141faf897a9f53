using System.Diagnostics;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;
using Mtl.Training.Weighting;

namespace Mtl.Training;

/// <summary>
/// Trains a multi-task model on L = Σ Jᵢ + Ω(θ), with Jᵢ task i's term from the multi-task method (λᵢLᵢ, or a
/// learned weighting's): mini-batches in a seeded order, one optimizer over shared and task-specific
/// parameters, the method's gradient-level combination on the shared parameters when it has one, validation
/// and early stopping, and a report per step and per epoch.
/// </summary>
/// <remarks>
/// <para>The same seeds (model initialisation, <see cref="TrainerOptions{T}.Seed"/>, any dropout or PCGrad
/// generators) give bitwise-identical runs, for any <see cref="MtlThreads.Count"/>.</para>
/// <para>The trainer knows no method by name: it drives one <see cref="IMultiTaskMethod{T}"/> (see there for
/// the order of its calls), <see cref="TrainerOptions{T}.Method"/> or the pair of
/// <see cref="TrainerOptions{T}.Weighting"/> and <see cref="TrainerOptions{T}.GradientCombiner"/>.</para>
/// <para>A model whose tasks read different inputs (an <see cref="IMultiInputModel{T}"/> such as
/// <see cref="MultiInputModel{T}"/>) trains on one data set per task, with one mini-batch of every task per step
/// (Trainer.MultiInput.cs); the step, the methods, schedules, early stopping and reports are the same.</para>
/// <para>A model trains on one thread at a time: a second fit or evaluation of the same model (or optimizer, or
/// method) from another thread while one runs throws <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed partial class Trainer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IMultiTaskModel<T>? _model;
    private readonly IMultiInputModel<T>? _multiInputModel;
    private readonly Module<T> _module;
    private readonly List<TrainingTask<T>> _tasks;
    private readonly Optimizer<T> _optimizer;
    private readonly TrainerOptions<T> _options;
    private readonly IMultiTaskMethod<T> _method;
    private readonly L2Penalty<T>? _taskL2;
    private readonly List<Var<T>> _shared;
    private readonly int[] _labelled;
    private readonly double[] _values;
    private readonly List<TaskLoss<T>> _losses;
    private readonly TaskGradientWorkspace<T>? _taskGradients;
    private readonly ISharedRepresentationModel<T>? _representationModel;
    private readonly AffinityTotals? _affinity;
    private long _steps;
    private bool _stopRequested;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model; it must be a <see cref="Module{T}"/> (every Mtl architecture is).</param>
    /// <param name="tasks">The tasks to train, each named as in the model's outputs and the data's targets.</param>
    /// <param name="optimizer">The optimizer over the model's parameters (all or some) and the method's learned parameters.</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <exception cref="ArgumentException">A task is unknown to the model or listed twice, the options are out of range,
    /// the optimizer holds a parameter that is neither the model's nor the method's or lacks one of the method's, or
    /// the method cannot serve these tasks and this model.</exception>
    public Trainer(IMultiTaskModel<T> model, IEnumerable<TrainingTask<T>> tasks, Optimizer<T> optimizer, TrainerOptions<T>? options = null)
        : this(model, model?.Tasks!, model?.SharedParameters()!, tasks, optimizer, options)
    {
        _model = model;
        if (_options.MultiInputSampling is { } sampling)
        {
            throw new ArgumentException($"Trainer: MultiInputSampling ({sampling}) chooses among the tasks' own data sets, which only a multi-input model (IMultiInputModel) has; {model!.GetType().Name} takes one input for every task.", nameof(options));
        }

        if (_options.TaskGradients == TaskGradientSpace.Representation)
        {
            _representationModel = model as ISharedRepresentationModel<T> ?? throw new ArgumentException($"Trainer: per-task gradients on the shared representation (TaskGradients = Representation) need a model with one representation that every head reads (an ISharedRepresentationModel, such as MultiTaskModel); {model!.GetType().Name} is not one. Use TaskGradientSpace.Parameters.", nameof(options));
        }
    }

    /// <summary>
    /// Creates a trainer for a model whose tasks read different inputs (<see cref="MultiInputModel{T}"/>): it is
    /// fitted on one data set per task (<see cref="Fit(IReadOnlyDictionary{string, MultiTaskDataset{T}}, IReadOnlyDictionary{string, MultiTaskDataset{T}}?)"/>),
    /// with every loss weighting, gradient method, schedule and early stopping as for a single-input model.
    /// </summary>
    /// <param name="model">The model; it must be a <see cref="Module{T}"/>.</param>
    /// <param name="tasks">The tasks to train, each named as in the model's tasks and in its data set's targets.</param>
    /// <param name="optimizer">The optimizer over the model's parameters (all or some) and the method's learned parameters.</param>
    /// <param name="options">Settings; defaults when null. <see cref="TaskGradientSpace.Representation"/> is not
    /// available: the tasks' shared representations come from different inputs, of different row counts.</param>
    /// <exception cref="ArgumentException">As for a single-input model, or <see cref="TrainerOptions{T}.TaskGradients"/> is
    /// <see cref="TaskGradientSpace.Representation"/>.</exception>
    public Trainer(IMultiInputModel<T> model, IEnumerable<TrainingTask<T>> tasks, Optimizer<T> optimizer, TrainerOptions<T>? options = null)
        : this(model, model?.Tasks!, model?.SharedParameters()!, tasks, optimizer, options)
    {
        _multiInputModel = model;
        if (_options.TaskGradients == TaskGradientSpace.Representation)
        {
            throw new ArgumentException($"Trainer: per-task gradients on the shared representation (TaskGradients = Representation) need one representation of one batch that every head reads; the multi-input model {model!.GetType().Name} makes one per task, from each task's own input and rows. Use TaskGradientSpace.Parameters.", nameof(options));
        }
    }

    /// <summary>What both public constructors share: the checks and the method's binding.</summary>
    private Trainer(object model, IReadOnlyList<string> modelTasks, IEnumerable<Var<T>> sharedParameters, IEnumerable<TrainingTask<T>> tasks, Optimizer<T> optimizer, TrainerOptions<T>? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(optimizer);
        _module = model as Module<T> ?? throw new ArgumentException($"Trainer: the model {model.GetType().Name} is not a Module<{typeof(T).Name}>.", nameof(model));
        _tasks = [.. tasks];
        _optimizer = optimizer;
        _options = options ?? new TrainerOptions<T>();
        _options.Validate();
        CheckTaskList(modelTasks);
        _method = _options.Method ?? new WeightedCombination<T>(_options.Weighting, _options.GradientCombiner);
        CheckOptimizer();
        _taskL2 = _options.TaskL2 > 0 ? L2Penalty<T>.ForPrefix(_module, _options.TaskL2, _options.TaskParameterPrefix) : null;
        _shared = [.. sharedParameters];
        if ((_method.NeedsTaskGradients || _options.TrackTaskConflict || _options.TaskAffinityInterval > 0) && _shared.Count == 0)
        {
            throw new ArgumentException($"Trainer: the multi-task method '{_method.Name}' and task-conflict tracking need the per-task gradients of shared parameters, and this model has none.", nameof(options));
        }

        _method.Bind(new MultiTaskSetup<T>([.. _tasks.Select(t => t.Name)], _shared));
        if (_method.NeedsTaskGradients || _options.TrackTaskConflict || _options.TaskAffinityInterval > 0)
        {
            _taskGradients = new TaskGradientWorkspace<T>([.. _shared]);
        }

        _labelled = new int[_tasks.Count];
        _values = new double[_tasks.Count];
        _losses = new List<TaskLoss<T>>(_tasks.Count);
        _affinity = _options.TaskAffinityInterval > 0 ? new AffinityTotals(_tasks.Count, _shared) : null;
    }

    /// <summary>Called after every epoch with its report (logging, plotting, custom stopping rules).</summary>
    public event Action<EpochReport>? EpochEnded;

    /// <summary>Called after every training step with its report (per-batch losses and labelled rows).</summary>
    public event Action<StepReport>? StepEnded;

    /// <summary>The tasks being trained.</summary>
    public IReadOnlyList<TrainingTask<T>> Tasks => _tasks;

    /// <summary>The multi-task method the trainer drives; pass it to <c>Checkpoint.SaveOptimizer</c>/<c>LoadOptimizer</c>
    /// to save and restore its state with the optimizer's.</summary>
    public IMultiTaskMethod<T> Method => _method;

    /// <summary>Asks the running <c>Fit</c> to stop after the current epoch (from a callback).</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Trains on <paramref name="train"/>, validating on <paramref name="validation"/> after each epoch.</summary>
    /// <remarks>If training fails (divergence, a callback's exception) after early stopping has recorded a best
    /// epoch, the best parameters are restored before the exception leaves.</remarks>
    /// <exception cref="ArgumentException">The data lacks a task's targets or has no rows, a batch cannot be formed,
    /// a task's loss does not fit its target, or early stopping watches a metric that is not reported.</exception>
    /// <exception cref="InvalidOperationException">Training diverged (a loss became NaN or infinite, also after the
    /// last update), another thread is training the same model, or the model is a multi-input model (which trains on
    /// one data set per task).</exception>
    public TrainingHistory Fit(MultiTaskDataset<T> train, MultiTaskDataset<T>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var model = RequireSingleInput("Fit");
        using var guard = EnterFit();
        CheckData(train, "training");
        RememberTargetScaling(train);
        if (validation is not null)
        {
            CheckData(validation, "validation");
            CheckTargetScaling(validation, "validation");
        }

        CheckEarlyStopping(validation is not null);
        var batcher = new MiniBatcher<T>(train, _options.BatchSize, _options.Seed, _options.DropLast);
        if (batcher.BatchesPerEpoch == 0)
        {
            throw new ArgumentException($"Trainer: DropLast with BatchSize {_options.BatchSize} drops every batch of the {train.Rows} training rows; lower BatchSize or turn DropLast off.", nameof(train));
        }

        var input = new SharedInput(model, _tasks);
        return Run(epoch => Steps(batcher, epoch, input), validation is null ? null : () => Evaluate(validation));
    }

    /// <summary>Epoch <paramref name="epoch"/>'s steps: one per batch of the one data set.</summary>
    private static IEnumerable<StepInput> Steps(MiniBatcher<T> batcher, int epoch, SharedInput input)
    {
        foreach (var batch in batcher.Epoch(epoch - 1))
        {
            input.Batch = batch;
            input.Index = batch.Index;
            yield return input;
        }
    }

    /// <summary>Marks the model, optimizer and method as in a fit on this thread.</summary>
    private TrainingGuard.Scope EnterFit() => TrainingGuard.Enter(
        "Trainer.Fit",
        exclusive: true,
        (_module, "the model"),
        (_optimizer, "the optimizer"),
        (_options.Method ?? (object?)_options.Weighting, "the multi-task method"),
        (_options.GradientCombiner, "the gradient combiner"));

    private void CheckEarlyStopping(bool hasValidation)
    {
        if (_options.EarlyStoppingMetric is not null && !hasValidation && _options.EarlyStoppingMetric != "train_loss")
        {
            throw new ArgumentException($"Trainer: early stopping on '{_options.EarlyStoppingMetric}' needs a validation set.", "validation");
        }
    }

    /// <summary>The epochs: each epoch's steps from <paramref name="epochSteps"/> (1-based epoch), validation by
    /// <paramref name="validate"/> after each, the reports, early stopping and the final checks.</summary>
    private TrainingHistory Run(Func<int, IEnumerable<StepInput>> epochSteps, Func<EvaluationResult>? validate)
    {
        var history = new TrainingHistory();
        var clock = Stopwatch.StartNew();
        var scheduler = _options.Schedule is null ? null : new LearningRateScheduler<T>(_optimizer, _options.Schedule);
        string? watched = _options.EarlyStoppingMetric;
        bool higherIsBetter = watched is not null && EvaluationResult.HigherIsBetter(watched);
        double best = higherIsBetter ? double.NegativeInfinity : double.PositiveInfinity;
        int bestEpoch = 0, sinceBest = 0;
        Tensor<T>[]? bestParameters = null;
        StepInput? lastStep = null;
        bool finished = false;
        _stopRequested = false;

        try
        {
            for (int epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                _module.Train();
                var totals = new EpochTotals(_tasks.Count);
                int batches = 0;
                TaskConflictReport? conflict = null;
                foreach (var step in epochSteps(epoch))
                {
                    var c = TrainStep(step, epoch, trackConflict: _options.TrackTaskConflict && batches == 0, totals);
                    conflict ??= c;
                    lastStep = step;
                    batches++;
                }

                _method.EndEpoch();
                double learningRate = _optimizer.Groups[0].LearningRate;
                scheduler?.Step();
                var validationResult = validate?.Invoke();
                var report = new EpochReport
                {
                    Epoch = epoch,
                    Epochs = _options.Epochs,
                    TrainLoss = _tasks.Select((t, i) => (t.Name, totals.MeanLoss(i))).ToDictionary(p => p.Name, p => p.Item2),
                    TrainRows = _tasks.Select((t, i) => (t.Name, totals.Rows(i))).ToDictionary(p => p.Name, p => p.Item2),
                    Validation = validationResult,
                    TaskWeights = TaskWeights(),
                    Conflict = conflict,
                    Affinity = _affinity?.EndEpoch([.. _tasks.Select(t => t.Name)]),
                    LearningRate = learningRate,
                    Duration = epochClock.Elapsed,
                    Elapsed = clock.Elapsed,
                };
                history.Add(report);
                EpochEnded?.Invoke(report);

                if (watched is not null)
                {
                    double value = report.Metric(watched) ?? throw new ArgumentException($"Trainer: early stopping watches '{watched}', which the epoch report does not have (use val_loss, train_loss or <task>.<metric>).", "train");
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

            CheckLastUpdate(lastStep!, history.Epochs.Count);
            finished = true;
        }
        finally
        {
            // Also when the run fails (mid-epoch, or in a callback): the best epoch's parameters are what early stopping promised.
            if (bestParameters is not null && (!finished || bestEpoch != history.Epochs.Count))
            {
                Restore(bestParameters);
            }
        }

        history.BestEpoch = bestEpoch;
        history.Duration = clock.Elapsed;
        return history;
    }
}
