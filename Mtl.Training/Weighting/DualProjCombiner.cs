namespace Mtl.Training.Weighting;

/// <summary>
/// DualProj (Quinton &amp; Rey 2024, torchjd's <c>DualProj</c>): the mean gradient g₀ = (1/K)·Σgᵢ projected onto the
/// dual cone of the task gradients, d = π_C(g₀) with C = {v : gⱼ·v ≥ 0 ∀j}, the closest direction to the mean that
/// conflicts with no task. On the Gram matrix G, d = Σⱼ αⱼgⱼ with α = argmin_{α ≥ 1/K} αᵀGα (<see cref="DualCone"/>).
/// </summary>
/// <remarks>A task whose gradient is exactly zero (absent from the batch) is left out of the mean and the cone;
/// its weight is 0.</remarks>
public sealed class DualProjCombiner : IGramCombiner
{
    /// <summary>Creates the combiner.</summary>
    public DualProjCombiner(DualConeOptions? options = null)
    {
        Options = options ?? new DualConeOptions();
        Options.Validate();
    }

    /// <summary>The projection's solver settings.</summary>
    public DualConeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "dualproj";

    /// <summary>The weights αⱼ of the last call (d = Σ αⱼgⱼ), for logging.</summary>
    public IReadOnlyList<double>? LastWeights { get; private set; }

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients) => GramCombination.Combine(this, taskGradients);

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d) => GramCombination.CombineInto(this, null, taskGradients, d);

    /// <inheritdoc />
    public void WeightsInto(IReadOnlyList<string> tasks, double[,] gram, Span<double> weights)
    {
        LastWeights = GramCombination.SolvePresent(gram, weights, g =>
        {
            int k = g.GetLength(0);
            var alpha = new double[k];
            DualCone.Project(g, Enumerable.Repeat(1.0 / k, k).ToArray(), alpha, Options);
            return alpha;
        });
    }
}
