namespace Mtl.Training.Weighting;

/// <summary>
/// The weights of α-fair resource allocation among tasks: w &gt; 0 with (Gw)ᵢ = wᵢ^(−p) for every i, on a Gram
/// matrix G (p = 1 is Nash-MTL's Gw = 1/w; FairGrad's fairness a gives p = 1/a). They are the stationary point of
/// the strictly convex f(w) = ½wᵀGw − Σᵢ h(wᵢ) with h′(w) = w^(−p) (h = ln w for p = 1, w^(1−p)/(1 − p)
/// otherwise), found by Newton's method: ∇f = Gw − w^(−p), ∇²f = G + diag(p·w^(−p−1)), with a backtracking
/// (Armijo) line search that keeps w &gt; 0. It stops when |wᵢ^p·(Gw)ᵢ − 1| ≤ K·10⁻¹⁵ for every i, or, once below
/// 10⁻¹⁰, when a step no longer reduces it (it has reached the rounding of Gw).
/// </summary>
/// <remarks>When the rows cancel (G has a null direction with positive weights) f is unbounded below: the solver
/// stops after its iteration limit, or when the line search can make no progress, with its last finite iterate.</remarks>
internal static class AlphaFairSolver
{
    /// <summary>
    /// <see cref="Solve"/> on G/‖G‖_F, for conditioning: divides <paramref name="gram"/> by its Frobenius norm in
    /// place and returns the solution of Ĝw = w^(−p) for that Ĝ with the norm, which the caller uses to rescale
    /// (Nash-MTL and FairGrad differ only there).
    /// </summary>
    public static (double[] Weights, double Frobenius) SolveNormalized(double[,] gram, double power, int maxIterations)
    {
        double frobenius = 0;
        foreach (double v in gram)
        {
            frobenius += v * v;
        }

        frobenius = Math.Sqrt(frobenius);
        int k = gram.GetLength(0);
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                gram[i, j] /= frobenius;
            }
        }

        return (Solve(gram, power, maxIterations), frobenius);
    }

    /// <summary>w &gt; 0 with (Gw)ᵢ = wᵢ^(−p).</summary>
    public static double[] Solve(double[,] gram, double power, int maxIterations)
    {
        int k = gram.GetLength(0);

        // Start where the equations hold for orthogonal rows, wᵢ = Gᵢᵢ^(−1/(1+p)).
        var w = Enumerable.Range(0, k).Select(i => Math.Pow(gram[i, i], -1 / (1 + power))).ToArray();
        var gw = new double[k];
        var gradient = new double[k];
        var hessian = new double[k, k];
        var trial = new double[k];
        double previous = double.PositiveInfinity;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            Multiply(gram, w, gw);
            double residual = 0;
            for (int i = 0; i < k; i++)
            {
                gradient[i] = gw[i] - Math.Pow(w[i], -power);
                residual = Math.Max(residual, Math.Abs((Math.Pow(w[i], power) * gw[i]) - 1));
            }

            // Converged to the rounding of (Gw)ᵢ, or (once close) no longer improving on it.
            if (residual <= 1e-15 * k || (residual < 1e-10 && residual >= previous))
            {
                break;
            }

            previous = residual;

            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    hessian[i, j] = gram[i, j] + (i == j ? power * Math.Pow(w[i], -power - 1) : 0);
                }
            }

            var step = CholeskySolve(hessian, gradient);
            double slope = 0;
            for (int i = 0; i < k; i++)
            {
                step[i] = -step[i];
                slope += gradient[i] * step[i];
            }

            double f = Objective(gram, w, power), t = 1;
            bool accepted = false;
            while (t >= 1e-20)
            {
                bool positive = true;
                for (int i = 0; i < k; i++)
                {
                    trial[i] = w[i] + (t * step[i]);
                    positive &= trial[i] > 0;
                }

                // Near the solution f's decrease (~‖∇f‖²) drowns in its rounding: there a step that halves the
                // gradient is taken instead (Newton's local convergence).
                if (positive && (Objective(gram, trial, power) <= f + (0.25 * t * slope) || GradientNorm(gram, trial, power) <= 0.5 * GradientNorm(gram, w, power)))
                {
                    accepted = true;
                    break;
                }

                t /= 2;
            }

            if (!accepted)
            {
                break;
            }

            trial.CopyTo(w, 0);
        }

        return w;
    }

    /// <summary>‖∇f(w)‖∞ = maxᵢ |(Gw)ᵢ − wᵢ^(−p)|.</summary>
    private static double GradientNorm(double[,] gram, double[] w, double power)
    {
        var gw = new double[w.Length];
        Multiply(gram, w, gw);
        double norm = 0;
        for (int i = 0; i < w.Length; i++)
        {
            norm = Math.Max(norm, Math.Abs(gw[i] - Math.Pow(w[i], -power)));
        }

        return norm;
    }

    /// <summary>f(w) = ½wᵀGw − Σ h(wᵢ).</summary>
    private static double Objective(double[,] gram, double[] w, double power)
    {
        var gw = new double[w.Length];
        Multiply(gram, w, gw);
        double f = 0;
        for (int i = 0; i < w.Length; i++)
        {
            double h = power == 1 ? Math.Log(w[i]) : Math.Pow(w[i], 1 - power) / (1 - power);
            f += (0.5 * w[i] * gw[i]) - h;
        }

        return f;
    }

    private static void Multiply(double[,] m, double[] x, double[] y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = 0;
            for (int j = 0; j < x.Length; j++)
            {
                y[i] += m[i, j] * x[j];
            }
        }
    }

    /// <summary>H⁻¹b for a symmetric positive-definite H (G + diag(p·w^(−p−1)) is, for w &gt; 0).</summary>
    private static double[] CholeskySolve(double[,] h, double[] b)
    {
        int k = b.Length;
        var l = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = h[i, j];
                for (int m = 0; m < j; m++)
                {
                    s -= l[i, m] * l[j, m];
                }

                l[i, j] = i == j ? Math.Sqrt(Math.Max(s, double.Epsilon)) : s / l[j, j];
            }
        }

        var y = new double[k];
        for (int i = 0; i < k; i++)
        {
            double s = b[i];
            for (int m = 0; m < i; m++)
            {
                s -= l[i, m] * y[m];
            }

            y[i] = s / l[i, i];
        }

        var x = new double[k];
        for (int i = k - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int m = i + 1; m < k; m++)
            {
                s -= l[m, i] * x[m];
            }

            x[i] = s / l[i, i];
        }

        return x;
    }
}
