namespace Mtl.Training.Weighting;

/// <summary>
/// FairGrad (Ban &amp; Ji 2024, "Fair Resource Allocation in Multi-Task Learning"): α-fair allocation of the
/// update among the tasks. d = Σ wᵢgᵢ with w &gt; 0 solving Gw = w^(−1/a) element-wise (G the Gram matrix), i.e.
/// each task's improvement gᵢ·d = wᵢ^(−1/a), the optimality condition of maximising Σᵢ (gᵢ·d)^(1−a)/(1 − a) over a
/// ball: a = 1 is proportional fairness (Nash-MTL's equation on the raw G), a larger a leans toward the worst task
/// (max-min fairness as a → ∞). Solved by <see cref="AlphaFairSolver"/>
/// with p = 1/a on G/‖G‖_F, then rescaled by ‖G‖_F^(−1/(1+p)) to solve it on G itself (as the reference, which
/// hands the raw equation to scipy's least_squares).
/// </summary>
/// <remarks>A task whose gradient is exactly zero is left out, with weight 0.</remarks>
public sealed class FairGradCombiner : IGramCombiner
{
    /// <summary>Creates the combiner.</summary>
    /// <param name="fairness">a &gt; 0 (the paper's α; it tunes a ∈ {0.5, 1, 2, …} per benchmark).</param>
    /// <param name="maxIterations">Newton steps at most.</param>
    public FairGradCombiner(double fairness = 1, int maxIterations = 100)
    {
        if (!(fairness > 0) || !double.IsFinite(fairness))
        {
            throw new ArgumentOutOfRangeException(nameof(fairness), fairness, "FairGrad: the fairness a must be a finite number > 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        Fairness = fairness;
        MaxIterations = maxIterations;
    }

    /// <summary>a.</summary>
    public double Fairness { get; }

    /// <summary>Newton steps at most.</summary>
    public int MaxIterations { get; }

    /// <inheritdoc />
    public string Name => "fairgrad";

    /// <summary>The weights wᵢ of the last call, for logging.</summary>
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
            // With G = s·Ĝ and Ĝŵ = ŵ^(−p), w = c·ŵ solves Gw = w^(−p) for s·c = c^(−p), c = s^(−1/(1+p)).
            double power = 1 / Fairness;
            var (w, frobenius) = AlphaFairSolver.SolveNormalized(g, power, MaxIterations);
            TensorPrimitives.Multiply(w, Math.Pow(frobenius, -1 / (1 + power)), w);
            return w;
        });
    }
}
