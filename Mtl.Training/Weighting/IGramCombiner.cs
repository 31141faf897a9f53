namespace Mtl.Training.Weighting;

/// <summary>
/// A combiner whose result is d = Σᵢ αᵢgᵢ with weights α that depend on the rows only through their Gram matrix
/// Gᵢⱼ = gᵢ·gⱼ (torchjd's Gramian-based weightings: UPGrad, MGDA, PCGrad in coefficient form, CAGrad, ...). The
/// trainer then never widens the rows to float64: it computes G in one pass, asks for α, and forms d in a second
/// pass — the rows are read twice in all, whatever the method's own number of iterations.
/// </summary>
/// <remarks>A task with Gᵢᵢ = 0 has a zero gradient (absent from the batch, or its loss does not reach the shared
/// part) and gets αᵢ = 0 from every implementation; a NaN in G is not taken for absence, and reaches the result.
/// Implementations keep <see cref="IGradientCombiner.CombineInto(IReadOnlyList{double[]}, Span{double})"/> for
/// rows given directly; <see cref="GramCombination.CombineInto"/> does it from <see cref="WeightsInto"/>.</remarks>
public interface IGramCombiner : IGradientCombiner
{
    /// <summary>
    /// Writes the weights α of the rows whose Gram matrix is <paramref name="gram"/> (T×T, symmetric; the method
    /// may change it, it is a copy).
    /// </summary>
    /// <param name="tasks">The task of each row, in the rows' order.</param>
    /// <param name="gram">Gᵢⱼ = gᵢ·gⱼ.</param>
    /// <param name="weights">T weights, written over.</param>
    void WeightsInto(IReadOnlyList<string> tasks, double[,] gram, Span<double> weights);
}

/// <summary>The row form of a Gram combiner: G from the rows, α from G, d = Σ αᵢgᵢ.</summary>
public static class GramCombination
{
    /// <summary>Combines <paramref name="taskGradients"/> with <paramref name="combiner"/>'s weights into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">No rows, rows of different lengths, or a destination of another length.</exception>
    public static void CombineInto(IGramCombiner combiner, IReadOnlyList<string>? tasks, IReadOnlyList<double[]> taskGradients, Span<double> destination)
    {
        ArgumentNullException.ThrowIfNull(combiner);
        FlatVectors.Check(combiner.Name, taskGradients);
        if (destination.Length != taskGradients[0].Length)
        {
            throw new ArgumentException($"{combiner.Name}: the destination has {destination.Length} values for gradients of {taskGradients[0].Length}.", nameof(destination));
        }

        int k = taskGradients.Count;
        tasks ??= [.. Enumerable.Range(0, k).Select(i => $"task{i}")];
        if (tasks.Count != k)
        {
            throw new ArgumentException($"{combiner.Name}: {tasks.Count} task names for {k} gradients.", nameof(tasks));
        }

        var weights = new double[k];
        combiner.WeightsInto(tasks, FlatVectors.Gram(taskGradients), weights);
        FlatVectors.CombinationInto(taskGradients, weights, destination);
    }

    /// <summary>The same, into a new array.</summary>
    public static double[] Combine(IGramCombiner combiner, IReadOnlyList<double[]> taskGradients)
    {
        ArgumentNullException.ThrowIfNull(combiner);
        FlatVectors.Check(combiner.Name, taskGradients);
        var d = new double[taskGradients[0].Length];
        CombineInto(combiner, null, taskGradients, d);
        return d;
    }

    /// <summary>Whether row i is present: Gᵢᵢ ≠ 0 (NaN counts as present, so that it is not hidden).</summary>
    internal static bool Present(double[,] gram, int i) => gram[i, i] != 0;

    /// <summary>The number of present rows, and their positions in <paramref name="at"/> (at least T long).</summary>
    internal static int PresentRows(double[,] gram, Span<int> at)
    {
        int k = 0;
        for (int i = 0; i < gram.GetLength(0); i++)
        {
            if (Present(gram, i))
            {
                at[k++] = i;
            }
        }

        return k;
    }

    /// <summary>
    /// Solves for the weights of the present rows on their own Gram matrix (<paramref name="solve"/> sees K×K with
    /// K the number present, and is not called when K = 0) and spreads them into <paramref name="weights"/>, 0 for
    /// an absent row. Returns the spread weights as a new array, for a combiner's <c>LastWeights</c>.
    /// </summary>
    internal static double[] SolvePresent(double[,] gram, Span<double> weights, Func<double[,], double[]> solve)
    {
        ArgumentNullException.ThrowIfNull(gram);
        var at = PresentRows(gram);
        var spread = FlatVectors.Spread(gram.GetLength(0), at, at.Length == 0 ? [] : solve(Restrict(gram, at)));
        spread.CopyTo(weights);
        return spread;
    }

    /// <summary>The positions of the present rows (a new array; see <see cref="PresentRows(double[,], Span{int})"/>).</summary>
    internal static int[] PresentRows(double[,] gram)
    {
        var at = new int[gram.GetLength(0)];
        return at[..PresentRows(gram, at)];
    }

    /// <summary>The Gram matrix of the rows at <paramref name="at"/> (a new K×K array, or G itself when all are present).</summary>
    internal static double[,] Restrict(double[,] gram, ReadOnlySpan<int> at)
    {
        int k = at.Length;
        if (k == gram.GetLength(0))
        {
            return gram;
        }

        var sub = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++)
            {
                sub[i, j] = gram[at[i], at[j]];
            }
        }

        return sub;
    }
}
