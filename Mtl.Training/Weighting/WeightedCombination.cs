using System.Numerics;
using Mtl.Autograd;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// A loss weighting and a gradient combiner as one <see cref="IMultiTaskMethod{T}"/>: the weighting makes the
/// terms Jₜ (and learns its weights from their exact gradients), the combiner turns the shared parameters'
/// per-task gradients ∇_θ Jₜ of the <em>weighted</em> terms into the update. Either part may be missing: no
/// weighting is the plain sum of the losses, no combiner is the sum of the task gradients (one backward pass
/// unless the weighting reads per-task gradients). This is what <see cref="TrainerOptions{T}.Weighting"/> and
/// <see cref="TrainerOptions{T}.GradientCombiner"/> build.
/// </summary>
/// <remarks>With uncertainty weighting and PCGrad, say, PCGrad sees the rows exp(−sₜ)·∇_θ Lₜ, the heads take
/// exp(−sₜ)·∇ Lₜ, and each sₜ takes 1 − exp(−sₜ)·Lₜ, its gradient in Σₜ exp(−sₜ)Lₜ + sₜ.</remarks>
public sealed class WeightedCombination<T> : IMultiTaskMethod<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Pairs <paramref name="weighting"/> (null: the plain sum) with <paramref name="combiner"/> (null: the sum of the task gradients).</summary>
    public WeightedCombination(ILossWeighting<T>? weighting, IGradientCombiner? combiner)
    {
        Weighting = weighting;
        Combiner = combiner;
        Name = (weighting, combiner) switch
        {
            (null, null) => "sum",
            (null, _) => combiner.Name,
            (_, null) => weighting.Name,
            _ => weighting.Name + "+" + combiner.Name,
        };
    }

    /// <summary>The loss weighting, or null.</summary>
    public ILossWeighting<T>? Weighting { get; }

    /// <summary>The gradient combiner, or null.</summary>
    public IGradientCombiner? Combiner { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool NeedsTaskGradients => Combiner is not null || (Weighting?.NeedsTaskGradients ?? false);

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, Var<T>>> NamedParameters() => Weighting?.NamedParameters() ?? [];

    /// <inheritdoc />
    public void Bind(MultiTaskSetup<T> setup) => Weighting?.Bind(setup);

    /// <inheritdoc />
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses) => Weighting?.Weigh(losses) ?? losses;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The weighting combined the gradients itself, which a loss weighting must not do.</exception>
    public double[]? CombineGradients(TaskGradientSet<T> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        if (Weighting?.CombineGradients(gradients) is not null)
        {
            throw new InvalidOperationException($"{Name}: the loss weighting '{Weighting.Name}' returned a combined gradient; a loss weighting may read the task gradients but leaves their combination to the combiner (implement IMultiTaskMethod for a method that does both).");
        }

        if (Combiner is null)
        {
            return null;
        }

        if (Combiner is IGramCombiner gramCombiner)
        {
            return gradients.CombinationOf(gramCombiner);
        }

        var combined = gradients.ResultBuffer();
        Combiner.CombineInto(gradients.Tasks, gradients.Gradients, combined);
        return combined;
    }

    /// <inheritdoc />
    public void AfterStep() => Weighting?.AfterStep();

    /// <inheritdoc />
    public void EndEpoch() => Weighting?.EndEpoch();

    /// <inheritdoc />
    public double WeightOf(string task) => Weighting?.WeightOf(task) ?? 1.0;

    /// <summary>Writes the weighting's state under <c>weighting.</c> and the combiner's under <c>combiner.</c>.</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Weighting?.SaveState(state.Scope("weighting"));
        Combiner?.SaveState(state.Scope("combiner"));
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Weighting?.LoadState(state.Scope("weighting"));
        Combiner?.LoadState(state.Scope("combiner"));
    }
}
