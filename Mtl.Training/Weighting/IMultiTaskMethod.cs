using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// A multi-task method — a loss weighting, a gradient combiner, or both in one class — as the trainer drives
/// it. Each step, given the losses Lₜ of the tasks that have labelled rows in the batch (a task without any
/// leaves the step, so it neither pulls a weight nor joins a combination):
/// <list type="number">
/// <item><see cref="Weigh"/> turns them into the objective's per-task terms Jₜ (λₜLₜ, or exp(−sₜ)Lₜ + sₜ with a
/// learned sₜ); the objective is Σₜ Jₜ plus the model's and the trainer's regularisers.</item>
/// <item>Without <see cref="NeedsTaskGradients"/>: one backward pass of the objective. With it: one backward pass
/// per term; the shared parameters' gradients ∇_θ Jₜ, flattened, are the rows of the T×P matrix given to
/// <see cref="CombineGradients"/>, whose result (null: the rows' sum) becomes the shared parameters' gradient.
/// Every other parameter — the heads, and the method's own learned parameters — accumulates ∂Jₜ/∂· as in an
/// ordinary backward pass, so learned weights get their exact gradient under any combination.</item>
/// <item>The optimizer steps, then <see cref="AfterStep"/>; after an epoch's last step, <see cref="EndEpoch"/>.</item>
/// </list>
/// </summary>
/// <remarks>
/// <para>A term Jₜ must depend on the shared parameters through Lₜ only, so that row t is task t's own gradient.
/// Terms may depend on learned parameters in any way (a softmax over all tasks' logits is fine).</para>
/// <para>Learned parameters returned by <see cref="NamedParameters"/> are updated by the trainer's optimizer (the
/// trainer checks that it holds them). A method may instead keep its own optimizer for them and step it in
/// <see cref="AfterStep"/>; it then saves that optimizer's state with its own.</para>
/// <para>Everything that changes during training — learned weights, loss histories, moving averages, random
/// generators — goes through <see cref="SaveState"/> and <see cref="LoadState"/>, which
/// <c>Checkpoint.SaveOptimizer</c>/<c>LoadOptimizer</c> call, so that a resumed run continues bit for bit.</para>
/// <para>The hooks a method does not need have defaults that do nothing.</para>
/// </remarks>
public interface IMultiTaskMethod<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>A short name for logs and checkpoints (<c>uncertainty</c>, <c>pcgrad</c>, <c>dwa+mgda</c>).</summary>
    string Name { get; }

    /// <summary>Whether each step needs the per-task gradients of the shared parameters (one backward pass per task).</summary>
    bool NeedsTaskGradients => false;

    /// <summary>Learned parameters the trainer's optimizer must update, by name (none for most methods).</summary>
    IEnumerable<KeyValuePair<string, Var<T>>> NamedParameters() => [];

    /// <summary>Called once by the trainer with its tasks and the model's shared parameters; throws when the method
    /// cannot serve them (a task it has no weight for, no shared weight matrix for GradNorm).</summary>
    /// <exception cref="ArgumentException">The setup does not fit the method.</exception>
    void Bind(MultiTaskSetup<T> setup)
    {
    }

    /// <summary>The objective's term of each task, in the order of <paramref name="losses"/>; called once per
    /// training step (so a method may record the loss values here).</summary>
    /// <param name="losses">The scalar losses of the tasks with labelled rows in this batch (at least one), in the
    /// trainer's task order; the list is the trainer's, valid during the call (copy what must be kept).</param>
    IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses);

    /// <summary>The shared parameters' gradient from the per-task gradients of this step's terms, or null for their
    /// sum Σₜ ∇_θ Jₜ. Called whenever the per-task gradients were computed (every step when
    /// <see cref="NeedsTaskGradients"/>, otherwise on the steps that track task conflict or measure task affinity).</summary>
    /// <param name="gradients">Rows: the tasks of this step, in the order <see cref="Weigh"/> was given them.</param>
    double[]? CombineGradients(TaskGradientSet<T> gradients) => null;

    /// <summary>After the optimizer's step (renormalising learned weights, counting steps).</summary>
    void AfterStep()
    {
    }

    /// <summary>After an epoch's last step (loss-history schedules such as DWA).</summary>
    void EndEpoch()
    {
    }

    /// <summary>The weight λₜ of <paramref name="task"/>'s loss in force, for reports (1 when the method does not weight losses).</summary>
    double WeightOf(string task) => 1.0;

    /// <summary>Writes everything training has changed (see the remarks).</summary>
    void SaveState(MethodState state)
    {
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote, checking all of it before changing anything.</summary>
    /// <exception cref="KeyNotFoundException">An entry is missing.</exception>
    /// <exception cref="InvalidDataException">An entry has the wrong kind, length or value.</exception>
    void LoadState(MethodState state)
    {
    }
}
