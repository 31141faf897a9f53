using System.Diagnostics;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Metrics;
using Mtl.Training.Optim;

namespace Mtl.Training;

/// <summary>Settings of <see cref="PerTaskTrainer{T}"/>.</summary>
public sealed record PerTaskTrainerOptions
{
    /// <summary>Rows per mini-batch (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>How the task of each step is chosen (default: proportional to each task's data size).</summary>
    public TaskSampling Sampling { get; init; } = TaskSampling.Proportional;

    /// <summary>Seed of the task choice and of every task's batch order.</summary>
    public ulong Seed { get; init; }

    /// <summary>Clip the global gradient norm to this value before each step; null: no clipping.</summary>
    public double? ClipGradNorm { get; init; }
}

/// <summary>What <see cref="PerTaskTrainer{T}.Fit"/> did, per task.</summary>
/// <param name="Steps">Optimisation steps taken on each task.</param>
/// <param name="MeanLoss">Mean training loss of each task over its steps.</param>
/// <param name="Duration">Wall time.</param>
public sealed record PerTaskFitResult(IReadOnlyDictionary<string, int> Steps, IReadOnlyDictionary<string, double> MeanLoss, TimeSpan Duration);

/// <summary>
/// Trains a <see cref="MultiInputModel{T}"/> whose tasks have their own data sets — different inputs, or
/// different rows — by sampling one task per step (round-robin or in proportion to its data size), as
/// the shared block then learns from every task in turn.
/// </summary>
/// <remarks>A plain loop: one task's loss per step, no loss weighting, gradient method, schedule or early
/// stopping. <see cref="Trainer{T}"/> trains the same models with all of those (one batch of every task per
/// step, or one task per step with <see cref="TrainerOptions{T}.MultiInputSampling"/>).</remarks>
public sealed class PerTaskTrainer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly MultiInputModel<T> _model;
    private readonly Dictionary<string, TrainingTask<T>> _tasks;
    private readonly Optimizer<T> _optimizer;
    private readonly PerTaskTrainerOptions _options;

    /// <summary>Creates the trainer.</summary>
    /// <exception cref="ArgumentException">A task is not one of the model's.</exception>
    public PerTaskTrainer(MultiInputModel<T> model, IEnumerable<TrainingTask<T>> tasks, Optimizer<T> optimizer, PerTaskTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(optimizer);
        _model = model;
        _optimizer = optimizer;
        _options = options ?? new PerTaskTrainerOptions();
        if (_options.BatchSize < 1)
        {
            throw new ArgumentException($"PerTaskTrainer: BatchSize must be at least 1, got {_options.BatchSize}.", nameof(options));
        }

        _tasks = [];
        foreach (var t in tasks)
        {
            if (!model.Tasks.Contains(t.Name))
            {
                throw new ArgumentException($"PerTaskTrainer: task '{t.Name}' is not one of the model's tasks ({string.Join(", ", model.Tasks)}).", nameof(tasks));
            }

            _tasks.Add(t.Name, t);
        }
    }

    /// <summary>Takes <paramref name="steps"/> optimisation steps, each on one task's next batch.</summary>
    /// <exception cref="ArgumentException">A source names a task this trainer does not train, or lacks its targets.</exception>
    /// <exception cref="InvalidOperationException">A loss diverged, or another thread is training the model.</exception>
    public PerTaskFitResult Fit(IReadOnlyList<TaskSource<T>> sources, int steps)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        foreach (var s in sources)
        {
            if (!_tasks.ContainsKey(s.Task))
            {
                throw new ArgumentException($"PerTaskTrainer: the data source for '{s.Task}' has no training task (tasks: {string.Join(", ", _tasks.Keys)}).", nameof(sources));
            }

            _ = s.Data.Task(s.Task);
        }

        using var guard = TrainingGuard.Enter("PerTaskTrainer.Fit", exclusive: true, (_model, "the model"), (_optimizer, "the optimizer"));
        var mixer = new TaskMixer<T>(sources, _options.BatchSize, _options.Sampling, _options.Seed);
        var counts = sources.ToDictionary(s => s.Task, _ => 0);
        var sums = sources.ToDictionary(s => s.Task, _ => 0.0);
        var clock = Stopwatch.StartNew();
        _model.Train();
        for (int i = 0; i < steps; i++)
        {
            var step = mixer.Next();
            _optimizer.ZeroGrad();
            var prediction = _model.Forward(step.Task, Var<T>.Constant(step.Batch.Features));
            var loss = _tasks[step.Task].LossOf(prediction, step.Batch.Task(step.Task));
            double value = double.CreateTruncating(loss.Item());
            if (!double.IsFinite(value))
            {
                throw new InvalidOperationException($"PerTaskTrainer: the loss of task '{step.Task}' is {value} at step {i} (training diverged).");
            }

            loss.Backward();
            if (_options.ClipGradNorm is { } maxNorm)
            {
                GradientClipping.ClipGradNorm(_optimizer, maxNorm);
            }

            _optimizer.Step();
            counts[step.Task]++;
            sums[step.Task] += value;
        }

        return new PerTaskFitResult(counts, counts.ToDictionary(c => c.Key, c => c.Value == 0 ? double.NaN : sums[c.Key] / c.Value), clock.Elapsed);
    }

    /// <summary>Regression metrics of one task on its own data (evaluation mode, no gradients).</summary>
    public RegressionReport EvaluateRegression(string task, MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return TaskMetrics.Regression(data.Task(task), Predict(task, data));
    }

    /// <summary>Classification metrics of one task on its own data (evaluation mode, no gradients).</summary>
    public ClassificationReport EvaluateClassification(string task, MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return TaskMetrics.Classification(data.Task(task), Predict(task, data));
    }

    /// <summary>The model's output for <paramref name="task"/> on every row of <paramref name="data"/>.</summary>
    public Tensor<T> Predict(string task, MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var guard = TrainingGuard.Enter("PerTaskTrainer.Predict", exclusive: false, (_model, "the model"));
        bool wasTraining = _model.IsTraining;
        _model.Eval();
        try
        {
            using (Tape.NoGrad())
            {
                return _model.Forward(task, Var<T>.Constant(data.Features)).Data;
            }
        }
        finally
        {
            _model.Train(wasTraining);
        }
    }
}
