namespace Mtl.Training.Weighting;

/// <summary>
/// Projection onto the dual cone of the task gradients, C = {v : gᵢ·v ≥ 0 for every i} (the directions that
/// conflict with no task), worked on the Gram matrix G = JJᵀ of the rows of J. For a point x = Jᵀu in the rows'
/// span, the projection is Jᵀw with w = argmin_{w ≥ u} ½wᵀGw (Quinton &amp; Rey 2024: the dual of
/// min ‖v − Jᵀu‖² s.t. Jv ≥ 0, whose multipliers μ = w − u ≥ 0 make v = Jᵀ(u + μ)).
/// </summary>
/// <remarks>
/// The box-constrained quadratic problem is solved by projected coordinate descent (exact minimisation along
/// each wᵢ, then the bound: wᵢ ← max(uᵢ, wᵢ − (Gw)ᵢ/Gᵢᵢ), which converges for a positive semi-definite G with a
/// positive diagonal), and after every sweep the KKT system on the sweep's free set F = {i : wᵢ &gt; uᵢ} is
/// solved exactly (G_FF·w_F = −G_FB·u_B); that point is kept as soon as it is optimal (w_F &gt; u_F, (Gw)_B ≥ 0
/// within rounding). So the answer is exact whenever the free set's Gram block is non-singular, and the
/// coordinate-descent limit otherwise. torchjd solves the same problem with quadprog on a normalised Gram
/// matrix plus 10⁻⁴·I; here G is only normalised (by its trace, which leaves the argmin unchanged).
/// </remarks>
internal static class DualCone
{
    /// <summary>argmin_{w ≥ u} ½wᵀGw, into <paramref name="w"/>.</summary>
    /// <param name="gram">G [K, K], every diagonal entry &gt; 0.</param>
    /// <param name="u">The lower bounds (the point to project is Jᵀu).</param>
    /// <param name="w">The weights found, of length K.</param>
    /// <param name="options">Sweeps and tolerance.</param>
    public static void Project(double[,] gram, ReadOnlySpan<double> u, Span<double> w, DualConeOptions options)
    {
        int k = u.Length;
        double trace = 0;
        for (int i = 0; i < k; i++)
        {
            trace += gram[i, i];
        }

        var g = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                g[i, j] = gram[i, j] / trace;
            }
        }

        u.CopyTo(w);
        double scale = 0;
        for (int i = 0; i < k; i++)
        {
            scale = Math.Max(scale, Math.Abs(u[i]));
        }

        var candidate = new double[k];
        var free = new bool[k];
        for (int sweep = 0; sweep < options.MaxSweeps; sweep++)
        {
            double change = 0;
            for (int i = 0; i < k; i++)
            {
                double r = 0;
                for (int j = 0; j < k; j++)
                {
                    r += g[i, j] * w[j];
                }

                double next = Math.Max(u[i], w[i] - (r / g[i, i]));
                change = Math.Max(change, Math.Abs(next - w[i]));
                w[i] = next;
            }

            for (int i = 0; i < k; i++)
            {
                free[i] = w[i] > u[i];
            }

            if (SolveFreeSet(g, u, free, candidate) && IsOptimal(g, u, free, candidate, scale))
            {
                candidate.CopyTo(w);
                return;
            }

            if (change <= options.Tolerance * scale)
            {
                return;
            }
        }
    }

    /// <summary>w_B = u_B and G_FF·w_F = −G_FB·u_B by Gaussian elimination with partial pivoting; false when G_FF is singular.</summary>
    private static bool SolveFreeSet(double[,] g, ReadOnlySpan<double> u, bool[] free, double[] w)
    {
        int k = u.Length;
        var at = Enumerable.Range(0, k).Where(i => free[i]).ToArray();
        int n = at.Length;
        var a = new double[n, n + 1];
        for (int r = 0; r < n; r++)
        {
            double rhs = 0;
            for (int j = 0; j < k; j++)
            {
                if (!free[j])
                {
                    rhs -= g[at[r], j] * u[j];
                }
            }

            for (int c = 0; c < n; c++)
            {
                a[r, c] = g[at[r], at[c]];
            }

            a[r, n] = rhs;
        }

        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++)
            {
                pivot = Math.Abs(a[r, c]) > Math.Abs(a[pivot, c]) ? r : pivot;
            }

            // G is trace-normalised, so its entries are at most 1: a pivot this small means a singular block.
            if (Math.Abs(a[pivot, c]) < 1e-13)
            {
                return false;
            }

            for (int j = 0; j <= n; j++)
            {
                (a[c, j], a[pivot, j]) = (a[pivot, j], a[c, j]);
            }

            for (int r = c + 1; r < n; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int j = c; j <= n; j++)
                {
                    a[r, j] -= f * a[c, j];
                }
            }
        }

        u.CopyTo(w);
        for (int r = n - 1; r >= 0; r--)
        {
            double s = a[r, n];
            for (int j = r + 1; j < n; j++)
            {
                s -= a[r, j] * w[at[j]];
            }

            w[at[r]] = s / a[r, r];
        }

        return w.All(double.IsFinite);
    }

    /// <summary>The KKT conditions of min ½wᵀGw s.t. w ≥ u: w_F ≥ u_F, and (Gw)_B ≥ 0 on the bound set, within rounding.</summary>
    private static bool IsOptimal(double[,] g, ReadOnlySpan<double> u, bool[] free, double[] w, double scale)
    {
        int k = u.Length;
        double slack = 1e-12 * Math.Max(scale, w.Max(Math.Abs));
        for (int i = 0; i < k; i++)
        {
            if (free[i])
            {
                if (w[i] < u[i])
                {
                    return false;
                }

                continue;
            }

            double r = 0;
            for (int j = 0; j < k; j++)
            {
                r += g[i, j] * w[j];
            }

            if (r < -slack)
            {
                return false;
            }
        }

        return true;
    }
}
