namespace Mtl.Training.Weighting;

/// <summary>How <see cref="NashMtlCombiner"/> scales the Gram matrix it solves on.</summary>
public enum NashMtlScale
{
    /// <summary>As the reference implementation: G/‖G‖_F, so that d keeps the gradients' scale (one task: d = g).</summary>
    FrobeniusNormalized,

    /// <summary>The paper's equation on G itself, whose d has a scale of its own (one task: d = g/‖g‖).</summary>
    Exact,
}

/// <summary>
/// Nash-MTL (Navon et al. 2022, "Multi-Task Learning as a Bargaining Game"): the update d = Σ αᵢgᵢ is the
/// Nash bargaining solution, with α &gt; 0 solving Gα = 1/α element-wise (αᵢ·gᵢ·d = 1 for every task: each task's
/// utility gᵢ·d is inversely proportional to its weight). That is the stationary point of the strictly convex
/// f(α) = ½αᵀGα − Σᵢ ln αᵢ, solved by Newton's method (<see cref="AlphaFairSolver"/> with p = 1) to
/// |αᵢ(Gα)ᵢ − 1| ≤ K·10⁻¹⁵ (or rounding), where the reference implementation runs 20 steps of a sequential
/// convex approximation through CVXPY.
/// </summary>
/// <remarks>When the gradients cancel (G has a null direction with positive weights: a Pareto-stationary point)
/// f is unbounded below and there is no solution; the solver then stops after its iteration limit with its last,
/// finite iterate. A task whose gradient is exactly zero is left out, with weight 0.</remarks>
public sealed class NashMtlCombiner : IGramCombiner
{
    /// <summary>Creates the combiner.</summary>
    /// <param name="scale">The scale of the Gram matrix solved on.</param>
    /// <param name="maxIterations">Newton steps at most.</param>
    public NashMtlCombiner(NashMtlScale scale = NashMtlScale.FrobeniusNormalized, int maxIterations = 100)
    {
        if (!Enum.IsDefined(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Nash-MTL: not a NashMtlScale.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        Scale = scale;
        MaxIterations = maxIterations;
    }

    /// <summary>The scale of the Gram matrix solved on.</summary>
    public NashMtlScale Scale { get; }

    /// <summary>Newton steps at most.</summary>
    public int MaxIterations { get; }

    /// <inheritdoc />
    public string Name => "nash-mtl";

    /// <summary>The weights αᵢ of the last call, for logging.</summary>
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
            // Solved on G/‖G‖_F for conditioning; for G itself α scales by ‖G‖_F^(−½).
            var (alpha, frobenius) = AlphaFairSolver.SolveNormalized(g, power: 1, MaxIterations);
            if (Scale == NashMtlScale.Exact)
            {
                TensorPrimitives.Multiply(alpha, 1 / Math.Sqrt(frobenius), alpha);
            }

            return alpha;
        });
    }
}
