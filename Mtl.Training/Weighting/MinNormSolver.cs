namespace Mtl.Training.Weighting;

/// <summary>
/// The min-norm point of the convex hull of vectors g₁..g_K: the weights α on the simplex minimising
/// ‖Σ αᵢgᵢ‖², the MGDA subproblem (Sener &amp; Koltun 2018). Works on the Gram matrix Mᵢⱼ = gᵢ·gⱼ, so the
/// cost does not depend on the vectors' length once M is formed.
/// </summary>
public static class MinNormSolver
{
    /// <summary>
    /// Sener &amp; Koltun's Algorithm 1, two vectors: the γ ∈ [0, 1] minimising ‖γg₁ + (1 − γ)g₂‖², from
    /// g₁·g₁, g₁·g₂ and g₂·g₂: γ = clamp(((g₂ − g₁)·g₂) / ‖g₁ − g₂‖², 0, 1). Equal vectors give ½.
    /// </summary>
    public static double TwoVectors(double g11, double g12, double g22)
    {
        double denominator = g11 - (2 * g12) + g22;
        if (denominator <= 0)
        {
            return 0.5;
        }

        return Math.Clamp((g22 - g12) / denominator, 0, 1);
    }

    /// <summary>
    /// Sener &amp; Koltun's Algorithm 2, Frank-Wolfe on the simplex, started (as their reference
    /// MinNormSolver does) from the best two-vector solution: each step moves toward the vertex t with
    /// the smallest (Mα)ₜ by the exact line-search step of <see cref="TwoVectors"/> between θ = Σαᵢgᵢ
    /// and gₜ, and stops when the step changes α by less than <paramref name="tolerance"/> (L1).
    /// </summary>
    /// <param name="gram">The Gram matrix of the vectors [K, K].</param>
    /// <param name="maxIterations">Frank-Wolfe steps at most.</param>
    /// <param name="tolerance">Stopping threshold on ‖Δα‖₁.</param>
    public static double[] Solve(double[,] gram, int maxIterations = 1000, double tolerance = 1e-12)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int k = gram.GetLength(0);
        if (k == 0 || gram.GetLength(1) != k)
        {
            throw new ArgumentException($"min-norm solver: the Gram matrix is {gram.GetLength(0)}×{gram.GetLength(1)}; expected K×K with K ≥ 1.", nameof(gram));
        }

        var alpha = new double[k];
        SolveInto(gram, alpha, new double[k], maxIterations, tolerance);
        return alpha;
    }

    /// <summary><see cref="Solve"/> into <paramref name="alpha"/> (K long), with <paramref name="mAlpha"/> (K long) as scratch: nothing allocated.</summary>
    internal static void SolveInto(double[,] gram, Span<double> alpha, Span<double> mAlpha, int maxIterations, double tolerance)
    {
        int k = gram.GetLength(0);
        alpha.Clear();
        if (k == 1)
        {
            alpha[0] = 1;
            return;
        }

        InitialisePair(gram, alpha);
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double thetaTheta = 0;
            for (int i = 0; i < k; i++)
            {
                mAlpha[i] = 0;
                for (int j = 0; j < k; j++)
                {
                    mAlpha[i] += gram[i, j] * alpha[j];
                }

                thetaTheta += alpha[i] * mAlpha[i];
            }

            int t = 0;
            for (int i = 1; i < k; i++)
            {
                t = mAlpha[i] < mAlpha[t] ? i : t;
            }

            // γ weights the vertex gₜ against θ; θ·gₜ = (Mα)ₜ.
            double gamma = TwoVectors(gram[t, t], mAlpha[t], thetaTheta);
            double change = 0;
            for (int i = 0; i < k; i++)
            {
                double next = ((1 - gamma) * alpha[i]) + (i == t ? gamma : 0);
                change += Math.Abs(next - alpha[i]);
                alpha[i] = next;
            }

            if (change < tolerance)
            {
                break;
            }
        }
    }

    private static void InitialisePair(double[,] gram, Span<double> alpha)
    {
        double best = double.PositiveInfinity;
        for (int i = 0; i < alpha.Length; i++)
        {
            for (int j = i + 1; j < alpha.Length; j++)
            {
                double g = TwoVectors(gram[i, i], gram[i, j], gram[j, j]);
                double norm = (g * g * gram[i, i]) + (2 * g * (1 - g) * gram[i, j]) + ((1 - g) * (1 - g) * gram[j, j]);
                if (norm < best)
                {
                    best = norm;
                    alpha.Clear();
                    alpha[i] = g;
                    alpha[j] = 1 - g;
                }
            }
        }
    }
}
