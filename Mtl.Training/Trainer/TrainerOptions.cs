using System.Numerics;
using Mtl.Training.Weighting;

namespace Mtl.Training;

/// <summary>Settings of <see cref="Trainer{T}"/>, with defaults; validated when the trainer is built.</summary>
public sealed record TrainerOptions<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Passes over the training data (default 100).</summary>
    public int Epochs { get; init; } = 100;

    /// <summary>Rows per mini-batch (default 32).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seed of the mini-batch order (and nothing else: layers draw from their own generators).</summary>
    public ulong Seed { get; init; }

    /// <summary>Drop the last, smaller batch of each epoch.</summary>
    public bool DropLast { get; init; }

    /// <summary>How task losses combine into the objective; null: their plain sum (all λᵢ = 1).</summary>
    public ILossWeighting<T>? Weighting { get; init; }

    /// <summary>Strength of Ω(θ) = λ·Σ‖θ‖² on the task-specific parameters (names starting with <see cref="TaskParameterPrefix"/>); 0 turns it off.</summary>
    public double TaskL2 { get; init; }

    /// <summary>Prefix of the task-specific parameters Ω acts on (default "heads.").</summary>
    public string TaskParameterPrefix { get; init; } = "heads.";

    /// <summary>
    /// A gradient-level method (PCGrad, MGDA, CAGrad) combining the per-task gradients on the shared
    /// parameters — of the weighted losses, when there is a <see cref="Weighting"/>, whose learned weights
    /// still get their exact gradient; null: one backward of the weighted objective.
    /// </summary>
    public IGradientCombiner? GradientCombiner { get; init; }

    /// <summary>
    /// A multi-task method that does both of the above in one class (or any <see cref="IMultiTaskMethod{T}"/>);
    /// null: the method made of <see cref="Weighting"/> and <see cref="GradientCombiner"/>
    /// (<see cref="WeightedCombination{T}"/>). Set it alone: it excludes the other two.
    /// </summary>
    public IMultiTaskMethod<T>? Method { get; init; }

    /// <summary>
    /// Where the per-task gradients that a gradient-level method combines are taken: on the shared parameters
    /// (exact; one backward pass through the whole model per task, the default) or on the shared
    /// representation the heads read (LibMTL's <c>rep_grad</c>; a backward through each head, then one through
    /// the trunk; needs an <see cref="Mtl.Layers.ISharedRepresentationModel{T}"/> with every head at one depth).
    /// </summary>
    public TaskGradientSpace TaskGradients { get; init; } = TaskGradientSpace.Parameters;

    /// <summary>
    /// For a multi-input model (one data set per task): null (the default) takes a mini-batch of every task's data set
    /// at each step; <see cref="Data.TaskSampling.RoundRobin"/> or <see cref="Data.TaskSampling.Proportional"/> takes one
    /// task's mini-batch per step, the task chosen so (the others leave that step). A sampled step has one task's loss,
    /// so a gradient-level method (PCGrad, MGDA, CAGrad) has nothing to combine and a loss weighting only scales that
    /// task's step: the methods act on tasks met in the same step. Must be null for a single-input model.
    /// </summary>
    public Data.TaskSampling? MultiInputSampling { get; init; }

    /// <summary>A learning-rate schedule stepped once per epoch (StepLR, cosine annealing, warm-up); null: constant.</summary>
    public Optim.Schedules.ILearningRateSchedule? Schedule { get; init; }

    /// <summary>Clip the global gradient norm to this value before each step; null: no clipping.</summary>
    public double? ClipGradNorm { get; init; }

    /// <summary>Compute the task-conflict report (per-task gradient norms and cosines on the shared
    /// parameters) on the first batch of every epoch. Costs one backward per task on that batch.</summary>
    public bool TrackTaskConflict { get; init; }

    /// <summary>
    /// Measure the inter-task affinity by lookahead (TAG, <see cref="TaskAffinityReport"/>) every this many steps
    /// (0, the default: never). A measured step takes the per-task gradients on the shared parameters and runs one
    /// evaluation-mode forward pass per task plus one; the epoch report carries the epoch's mean.
    /// </summary>
    public int TaskAffinityInterval { get; init; }

    /// <summary>The metric early stopping watches, e.g. "val_loss" or "heating_load.r2"; null: no early stopping.</summary>
    public string? EarlyStoppingMetric { get; init; }

    /// <summary>Epochs without improvement of the watched metric before stopping (default 10).</summary>
    public int Patience { get; init; } = 10;

    /// <summary>After early stopping, put back the parameters of the best epoch (default true).</summary>
    public bool RestoreBestParameters { get; init; } = true;

    /// <summary>Rows per batch when evaluating (default 1024).</summary>
    public int EvaluationBatchSize { get; init; } = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (Epochs < 1)
        {
            throw new ArgumentException($"TrainerOptions.Epochs must be at least 1, got {Epochs}.");
        }

        if (BatchSize < 1 || EvaluationBatchSize < 1)
        {
            throw new ArgumentException($"TrainerOptions: batch sizes must be at least 1 (BatchSize {BatchSize}, EvaluationBatchSize {EvaluationBatchSize}).");
        }

        if (TaskL2 < 0 || double.IsNaN(TaskL2))
        {
            throw new ArgumentException($"TrainerOptions.TaskL2 must be non-negative, got {TaskL2}.");
        }

        if (ClipGradNorm is { } c && !(c > 0))
        {
            throw new ArgumentException($"TrainerOptions.ClipGradNorm must be positive, got {c}.");
        }

        if (Method is not null && (Weighting is not null || GradientCombiner is not null))
        {
            throw new ArgumentException($"TrainerOptions: Method ({Method.Name}) is set together with {(Weighting is not null ? "Weighting" : "GradientCombiner")}; a method is the whole multi-task treatment, so set either Method or Weighting/GradientCombiner.");
        }

        if (!Enum.IsDefined(TaskGradients))
        {
            throw new ArgumentException($"TrainerOptions.TaskGradients: {(int)TaskGradients} is not a TaskGradientSpace.");
        }

        if (TaskAffinityInterval < 0)
        {
            throw new ArgumentException($"TrainerOptions.TaskAffinityInterval must be 0 (off) or a number of steps, got {TaskAffinityInterval}.");
        }

        if (TaskAffinityInterval > 0 && TaskGradients == TaskGradientSpace.Representation)
        {
            throw new ArgumentException("TrainerOptions: the task affinity (TaskAffinityInterval) looks ahead along each task's gradient on the shared parameters, which TaskGradientSpace.Representation does not compute; use TaskGradientSpace.Parameters.");
        }

        if (MultiInputSampling is { } sampling && !Enum.IsDefined(sampling))
        {
            throw new ArgumentException($"TrainerOptions.MultiInputSampling: {(int)sampling} is not a TaskSampling.");
        }

        if (Patience < 1)
        {
            throw new ArgumentException($"TrainerOptions.Patience must be at least 1, got {Patience}.");
        }
    }
}
