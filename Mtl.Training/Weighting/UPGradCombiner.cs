namespace Mtl.Training.Weighting;

/// <summary>
/// UPGrad, unconflicting projection of gradients (Quinton &amp; Rey 2024, "Jacobian Descent for Multi-Objective
/// Optimization", torchjd's <c>UPGrad</c>): each task gradient gᵢ is projected onto the dual cone of all of them,
/// C = {v : gⱼ·v ≥ 0 ∀j}, and the projections are averaged, d = (1/K)·Σᵢ π_C(gᵢ). On the Gram matrix G,
/// π_C(gᵢ) = Σⱼ wⱼ⁽ⁱ⁾gⱼ with w⁽ⁱ⁾ = argmin_{w ≥ eᵢ} wᵀGw (<see cref="DualCone"/>), so d = Σⱼ αⱼgⱼ with
/// α = (1/K)·Σᵢ w⁽ⁱ⁾. d conflicts with no task (gⱼ·d ≥ 0 for every j), and equals the mean gradient when no
/// pair conflicts.
/// </summary>
/// <remarks>A task whose gradient is exactly zero (absent from the batch) is left out: it adds no constraint
/// (0·v ≥ 0 always) and K counts the tasks present, so the mean is not diluted; its weight is 0.</remarks>
public sealed class UPGradCombiner : IGramCombiner
{
    /// <summary>Creates the combiner.</summary>
    public UPGradCombiner(DualConeOptions? options = null)
    {
        Options = options ?? new DualConeOptions();
        Options.Validate();
    }

    /// <summary>The projection's solver settings.</summary>
    public DualConeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "upgrad";

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
            var u = new double[k];
            var w = new double[k];
            for (int i = 0; i < k; i++)
            {
                Array.Clear(u);
                u[i] = 1;
                DualCone.Project(g, u, w, Options);
                for (int j = 0; j < k; j++)
                {
                    alpha[j] += w[j] / k;
                }
            }

            return alpha;
        });
    }
}
