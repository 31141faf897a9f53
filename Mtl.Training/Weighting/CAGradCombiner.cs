namespace Mtl.Training.Weighting;

/// <summary>
/// CAGrad, conflict-averse gradient descent (Liu et al. 2021): the update d maximises the worst task's
/// improvement minᵢ gᵢ·d within a ball ‖d − g₀‖ ≤ c‖g₀‖ around the mean gradient g₀ = (1/K)Σgᵢ. Its dual
/// is a problem over the simplex, min_w F(w) = g_w·g₀ + √φ‖g_w‖ with g_w = Σwᵢgᵢ and φ = c²‖g₀‖², and
/// then d = g₀ + (√φ/‖g_w‖)·g_w, divided by (1 + c²) as in the reference implementation (see
/// <see cref="CAGradRescale"/>). With c = 0, d = g₀.
/// </summary>
/// <remarks>The inner problem is solved by <see cref="CAGradDual"/>. A task whose gradient is exactly zero
/// (absent from the batch) is left out: the mean and the ball are over the K tasks present (with it, the mean
/// of [g, 0] would halve g), and its weight is 0.</remarks>
public sealed class CAGradCombiner : IGramCombiner
{
    /// <summary>Creates the combiner.</summary>
    public CAGradCombiner(CAGradOptions? options = null)
    {
        Options = options ?? new CAGradOptions();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public CAGradOptions Options { get; }

    /// <inheritdoc />
    public string Name => "cagrad";

    /// <summary>The simplex weights w of the last call, for logging.</summary>
    public IReadOnlyList<double>? LastWeights { get; private set; }

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients) => GramCombination.Combine(this, taskGradients);

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d) => GramCombination.CombineInto(this, null, taskGradients, d);

    /// <inheritdoc />
    /// <remarks>d = s·(g₀ + (√φ/‖g_w‖)·g_w) is Σ αᵢgᵢ with αᵢ = s·(1/K + (√φ/‖g_w‖)·wᵢ); the norms are read off G,
    /// ‖g₀‖² = uᵀGu with u = 1/K and ‖g_w‖² = wᵀGw. <see cref="LastWeights"/> keeps w, the dual's weights.</remarks>
    public void WeightsInto(IReadOnlyList<string> tasks, double[,] gram, Span<double> weights)
    {
        double[]? dual = null;
        GramCombination.SolvePresent(gram, weights, g =>
        {
            int k = g.GetLength(0);
            var alpha = Enumerable.Repeat(1.0 / k, k).ToArray();
            double sqrtPhi = Options.C * Math.Sqrt(Math.Max(0, Quadratic(g, alpha)));
            if (sqrtPhi == 0)
            {
                dual = (double[])alpha.Clone();
                return alpha;
            }

            var w = CAGradDual.SolveWeights(g, sqrtPhi, Options.MaxIterations, Options.Tolerance);
            dual = w;
            double gwNorm = Math.Sqrt(Math.Max(0, Quadratic(g, w)));
            double scale = Options.Rescale switch
            {
                CAGradRescale.OnePlusCSquared => 1 / (1 + (Options.C * Options.C)),
                CAGradRescale.OnePlusC => 1 / (1 + Options.C),
                _ => 1,
            };
            for (int i = 0; i < k; i++)
            {
                alpha[i] = scale * (alpha[i] + (gwNorm > 0 ? sqrtPhi / gwNorm * w[i] : 0));
            }

            return alpha;
        });

        // The dual weights spread back over every task, 0 for an absent one.
        LastWeights = FlatVectors.Spread(gram.GetLength(0), GramCombination.PresentRows(gram), dual ?? []);
    }

    /// <summary>xᵀGx.</summary>
    private static double Quadratic(double[,] g, double[] x)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            for (int j = 0; j < x.Length; j++)
            {
                sum += x[i] * g[i, j] * x[j];
            }
        }

        return sum;
    }
}
