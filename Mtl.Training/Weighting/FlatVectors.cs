namespace Mtl.Training.Weighting;

/// <summary>Small float64 vector helpers for the gradient combiners.</summary>
internal static class FlatVectors
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => TensorPrimitives.Dot(a, b);

    /// <summary>y += α·x.</summary>
    public static void AddScaled(Span<double> y, double alpha, ReadOnlySpan<double> x) => TensorPrimitives.MultiplyAdd(x, alpha, y, y);

    /// <summary>Elements per chunk of the passes over all rows at once: the rows' chunks stay in cache together.</summary>
    private const int Chunk = 1024;

    /// <summary>
    /// The Gram matrix Mᵢⱼ = gᵢ·gⱼ, in one pass over the rows: chunk by chunk, every pair's partial dot product,
    /// so each row is read from memory once rather than once per pair (T/2 times).
    /// </summary>
    public static double[,] Gram(IReadOnlyList<double[]> g)
    {
        int count = g.Count;
        var m = new double[count, count];
        int length = count == 0 ? 0 : g[0].Length;
        for (int start = 0; start < length; start += Chunk)
        {
            int size = Math.Min(Chunk, length - start);
            for (int i = 0; i < count; i++)
            {
                var gi = g[i].AsSpan(start, size);
                for (int j = i; j < count; j++)
                {
                    m[i, j] += Dot(gi, g[j].AsSpan(start, size));
                }
            }
        }

        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < i; j++)
            {
                m[i, j] = m[j, i];
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
        // Chunk by chunk, so that d's chunk stays in cache while every row adds into it: the same operations on
        // each element, in the same order, as whole-row passes, with one pass over memory instead of T.
        for (int start = 0; start < d.Length; start += Chunk)
        {
            int size = Math.Min(Chunk, d.Length - start);
            var part = d.Slice(start, size);
            part.Clear();
            for (int i = 0; i < g.Count; i++)
            {
                AddScaled(part, w[i], g[i].AsSpan(start, size));
            }
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
