namespace Mtl.Training.Weighting;

/// <summary>The dual problem of CAGrad over the simplex, min_w F(w) = wᵀA1/K + √φ·√(wᵀAw), on the Gram matrix A.</summary>
/// <remarks>
/// The inner problem is solved on the Gram matrix A (Aᵢⱼ = gᵢ·gⱼ, so g_w·g₀ = wᵀA1/K and ‖g_w‖² = wᵀAw) by
/// projected gradient descent with a backtracking (Armijo) step: w ← Π(w − η∇F(w)) with Π the Euclidean
/// projection onto the simplex (Duchi et al. 2008) and ∇F = A1/K + √φ·Aw/‖g_w‖, η halved until the
/// sufficient-decrease condition holds and doubled after each accepted step. The reference implementation
/// uses scipy's SLSQP instead; F is convex, so both reach its minimum. ‖g_w‖ is floored at 10⁻⁸ of the
/// largest task gradient norm where it vanishes (the reference adds 10⁻⁸ under the root for the same reason).
/// </remarks>
internal static class CAGradDual
{
    /// <summary>The inner objective F(w) = wᵀA1/K + √φ·√(wᵀAw).</summary>
    public static double Objective(double[,] gram, ReadOnlySpan<double> w, double sqrtPhi) => Evaluate(gram, w, sqrtPhi, Floor(gram), null);

    /// <summary>argmin over the simplex of <see cref="Objective"/>, by projected gradient descent.</summary>
    public static double[] SolveWeights(double[,] gram, double sqrtPhi, int maxIterations, double tolerance)
    {
        int k = gram.GetLength(0);
        double floor = Floor(gram);
        var w = Enumerable.Repeat(1.0 / k, k).ToArray();
        var gradient = new double[k];
        var candidate = new double[k];
        var candidateGradient = new double[k];
        double f = Evaluate(gram, w, sqrtPhi, floor, gradient);
        double trace = 0;
        for (int i = 0; i < k; i++)
        {
            trace += gram[i, i];
        }

        double step = 1 / trace;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double fc, change;
            while (true)
            {
                for (int i = 0; i < k; i++)
                {
                    candidate[i] = w[i] - (step * gradient[i]);
                }

                ProjectOntoSimplex(candidate);
                fc = Evaluate(gram, candidate, sqrtPhi, floor, candidateGradient);
                double linear = 0, squared = 0;
                change = 0;
                for (int i = 0; i < k; i++)
                {
                    double delta = candidate[i] - w[i];
                    linear += gradient[i] * delta;
                    squared += delta * delta;
                    change += Math.Abs(delta);
                }

                if (fc <= f + linear + (squared / (2 * step)) || step < 1e-300)
                {
                    break;
                }

                step /= 2;
            }

            candidate.CopyTo(w, 0);
            candidateGradient.CopyTo(gradient, 0);
            f = fc;
            if (change < tolerance)
            {
                break;
            }

            step *= 2;
        }

        return w;
    }

    /// <summary>
    /// Euclidean projection onto the simplex {w ≥ 0, Σw = 1}, in place (Duchi et al. 2008, Fig. 1): with u
    /// sorted descending and ρ the largest j with uⱼ − (Σ_{r≤j} uᵣ − 1)/j &gt; 0, w = max(v − θ, 0) for
    /// θ = (Σ_{r≤ρ} uᵣ − 1)/ρ.
    /// </summary>
    public static void ProjectOntoSimplex(Span<double> v)
    {
        var u = v.ToArray();
        Array.Sort(u);
        Array.Reverse(u);
        double cumulative = 0, theta = 0;
        for (int j = 0; j < u.Length; j++)
        {
            cumulative += u[j];
            double t = (cumulative - 1) / (j + 1);
            if (u[j] - t > 0)
            {
                theta = t;
            }
        }

        for (int i = 0; i < v.Length; i++)
        {
            v[i] = Math.Max(v[i] - theta, 0);
        }
    }

    /// <summary>(10⁻⁸·maxᵢ‖gᵢ‖)², the floor under ‖g_w‖².</summary>
    private static double Floor(double[,] gram)
    {
        double max = 0;
        for (int i = 0; i < gram.GetLength(0); i++)
        {
            max = Math.Max(max, gram[i, i]);
        }

        return 1e-16 * max;
    }

    /// <summary>F(w), and ∇F(w) into <paramref name="gradient"/> when given.</summary>
    private static double Evaluate(double[,] gram, ReadOnlySpan<double> w, double sqrtPhi, double floor, double[]? gradient)
    {
        int k = w.Length;
        Span<double> aw = stackalloc double[k];
        Span<double> ab = stackalloc double[k];
        double quadratic = 0, linear = 0;
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                aw[i] += gram[i, j] * w[j];
                ab[i] += gram[i, j] / k;
            }

            quadratic += w[i] * aw[i];
            linear += w[i] * ab[i];
        }

        double norm = Math.Sqrt(Math.Max(quadratic, floor));
        if (gradient is not null)
        {
            for (int i = 0; i < k; i++)
            {
                gradient[i] = ab[i] + (sqrtPhi * aw[i] / norm);
            }
        }

        return linear + (sqrtPhi * norm);
    }
}
