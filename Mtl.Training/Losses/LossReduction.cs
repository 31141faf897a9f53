namespace Mtl.Training.Losses;

/// <summary>How a loss reduces its per-element terms to one scalar (PyTorch's <c>reduction</c>).</summary>
public enum LossReduction
{
    /// <summary>The (weighted) mean over the elements of the unmasked rows: Σ wᵢ Σₖ lᵢₖ / (K·Σ wᵢ). PyTorch's default.</summary>
    Mean,

    /// <summary>The (weighted) sum over the elements of the unmasked rows: Σ wᵢ Σₖ lᵢₖ.</summary>
    Sum,
}
