using Mtl.Tensors;

namespace Mtl.Tests.Training.Weighting;

/// <summary>Plain, slow reference linear algebra on small dense vectors for the aggregator tests.</summary>
internal static class GradientMath
{
    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    public static double[] Combination(double[][] g, double[] w) =>
        Enumerable.Range(0, g[0].Length).Select(d => Enumerable.Range(0, g.Length).Sum(i => w[i] * g[i][d])).ToArray();

    public static double[] Mean(double[][] g) => Combination(g, [.. g.Select(_ => 1.0 / g.Length)]);

    /// <summary>Solves A·x = b by Gauss-Jordan elimination with partial pivoting; null when A is singular.</summary>
    public static double[]? Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = new double[n, n + 1];
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                m[r, c] = a[r, c];
            }

            m[r, n] = b[r];
        }

        for (int c = 0; c < n; c++)
        {
            int p = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(m[r, c]));
            if (Math.Abs(m[p, c]) < 1e-12)
            {
                return null;
            }

            for (int j = 0; j <= n; j++)
            {
                (m[c, j], m[p, j]) = (m[p, j], m[c, j]);
            }

            for (int r = 0; r < n; r++)
            {
                if (r != c)
                {
                    double f = m[r, c] / m[c, c];
                    for (int j = 0; j <= n; j++)
                    {
                        m[r, j] -= f * m[c, j];
                    }
                }
            }
        }

        return [.. Enumerable.Range(0, n).Select(r => m[r, n] / m[r, r])];
    }

    /// <summary>
    /// The Euclidean projection of x onto the cone {v : gᵢ·v ≥ 0 ∀i}, by brute force in the primal: the projection
    /// is the projection of x onto the null space of its active rows A (KKT: v = x + Σ_{i∈A} λᵢgᵢ with gᵢ·v = 0 on A),
    /// so every subset A is tried (those whose rows are dependent are skipped: a smaller subset spans the same
    /// face) and the closest feasible candidate wins.
    /// </summary>
    public static double[] ProjectOntoDualCone(double[][] g, double[] x)
    {
        int k = g.Length;
        double[]? best = null;
        double bestDistance = double.PositiveInfinity;
        for (int mask = 0; mask < (1 << k); mask++)
        {
            var active = Enumerable.Range(0, k).Where(i => (mask & (1 << i)) != 0).Select(i => g[i]).ToArray();
            var v = (double[])x.Clone();
            if (active.Length > 0)
            {
                var gram = new double[active.Length, active.Length];
                for (int i = 0; i < active.Length; i++)
                {
                    for (int j = 0; j < active.Length; j++)
                    {
                        gram[i, j] = Dot(active[i], active[j]);
                    }
                }

                var lambda = Solve(gram, [.. active.Select(a => Dot(a, x))]);
                if (lambda is null)
                {
                    continue;
                }

                v = x.Zip(Combination(active, lambda), (p, q) => p - q).ToArray();
            }

            double scale = g.Max(Norm) * Norm(x);
            if (g.All(row => Dot(row, v) >= -1e-12 * scale))
            {
                double distance = Norm(x.Zip(v, (p, q) => p - q).ToArray());
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = v;
                }
            }
        }

        return best!;
    }

    /// <summary>K gradients of length n with entries from a standard normal, drawn from <paramref name="random"/>.</summary>
    public static double[][] RandomRows(SeededRandom random, int k, int n) =>
        [.. Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, n).Select(_ => random.NextNormal()).ToArray())];
}
