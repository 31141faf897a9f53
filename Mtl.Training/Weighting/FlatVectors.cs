namespace Mtl.Training.Weighting;

/// <summary>Small float64 vector helpers for the gradient combiners.</summary>
internal static class FlatVectors
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => TensorPrimitives.Dot(a, b);

    /// <summary>y += α·x.</summary>
    public static void AddScaled(Span<double> y, double alpha, ReadOnlySpan<double> x) => TensorPrimitives.MultiplyAdd(x, alpha, y, y);

    /// <summary>The Gram matrix Mᵢⱼ = gᵢ·gⱼ.</summary>
    public static double[,] Gram(IReadOnlyList<double[]> g)
    {
        var m = new double[g.Count, g.Count];
        for (int i = 0; i < g.Count; i++)
        {
            for (int j = i; j < g.Count; j++)
            {
                m[i, j] = m[j, i] = Dot(g[i], g[j]);
            }
        }

        return m;
    }

    /// <summary>Σ wᵢgᵢ.</summary>
    public static double[] Combination(IReadOnlyList<double[]> g, ReadOnlySpan<double> w)
    {
        var d = new double[g[0].Length];
        CombinationInto(g, w, d);
        return d;
    }

    /// <summary>d = Σᵢ wᵢgᵢ, written over <paramref name="d"/>.</summary>
    public static void CombinationInto(IReadOnlyList<double[]> g, ReadOnlySpan<double> w, Span<double> d)
    {
        d.Clear();
        for (int i = 0; i < g.Count; i++)
        {
            AddScaled(d, w[i], g[i]);
        }
    }

    /// <summary>The positions of the vectors with a non-zero entry (the tasks that offer a direction).</summary>
    public static int[] NonZero(IReadOnlyList<double[]> g)
    {
        var present = new List<int>(g.Count);
        for (int i = 0; i < g.Count; i++)
        {
            foreach (double v in g[i])
            {
                if (v != 0)
                {
                    present.Add(i);
                    break;
                }
            }
        }

        return [.. present];
    }

    /// <summary>The vectors at <paramref name="at"/>.</summary>
    public static double[][] Rows(IReadOnlyList<double[]> g, int[] at) => [.. at.Select(i => g[i])];

    /// <summary>Weights of a subset spread back over all positions (0 for the others).</summary>
    public static double[] Spread(int count, int[] at, IReadOnlyList<double> weights)
    {
        var all = new double[count];
        for (int j = 0; j < at.Length; j++)
        {
            all[at[j]] = weights[j];
        }

        return all;
    }

    /// <summary>Throws unless there is at least one vector and all have one length.</summary>
    public static void Check(string who, IReadOnlyList<double[]> g)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (g.Count == 0)
        {
            throw new ArgumentException($"{who}: no task gradients given.", nameof(g));
        }

        for (int i = 0; i < g.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(g[i]);
            if (g[i].Length != g[0].Length)
            {
                throw new ArgumentException($"{who}: task gradient {i} has {g[i].Length} values but task gradient 0 has {g[0].Length}.", nameof(g));
            }
        }
    }
}
