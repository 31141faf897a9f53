namespace Mtl.Training.Weighting;

/// <summary>
/// MGDA (Sener &amp; Koltun 2018): d = Σ αᵢgᵢ with α the min-norm point of the convex hull of the task
/// gradients (<see cref="MinNormSolver"/>: closed form for two tasks, Frank-Wolfe for more). d is a common
/// descent direction of every task unless it is 0 (a Pareto-stationary point). Fed the gradients with respect
/// to the shared representation instead of the shared parameters, the same solver gives MGDA-UB, the
/// paper's cheaper upper bound; this combiner is agnostic about which it is given.
/// </summary>
/// <remarks>A task whose gradient is exactly zero (absent from the batch) is left out of the hull: with it the
/// min-norm point would be 0, and the shared parameters would stop learning the tasks that are present.
/// Its αᵢ is 0, and K in <see cref="MgdaOptions.ScaleByTaskCount"/> counts the tasks present.</remarks>
public sealed class MgdaCombiner : IGradientCombiner
{
    /// <summary>Creates the combiner.</summary>
    public MgdaCombiner(MgdaOptions? options = null)
    {
        Options = options ?? new MgdaOptions();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public MgdaOptions Options { get; }

    /// <inheritdoc />
    public string Name => "mgda";

    /// <summary>The weights αᵢ of the last call (before any scaling by K), for logging.</summary>
    public IReadOnlyList<double>? LastWeights { get; private set; }

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients)
    {
        FlatVectors.Check(Name, taskGradients);
        var d = new double[taskGradients[0].Length];
        CombineInto(taskGradients, d);
        return d;
    }

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d)
    {
        FlatVectors.Check(Name, taskGradients);
        var present = FlatVectors.NonZero(taskGradients);
        var rows = FlatVectors.Rows(taskGradients, present);
        var gram = FlatVectors.Gram(rows);
        int k = rows.Length;
        if (Options.Normalization == MgdaNormalization.L2)
        {
            var norms = Enumerable.Range(0, k).Select(i => Math.Sqrt(gram[i, i])).ToArray();
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    gram[i, j] /= norms[i] * norms[j];
                }
            }
        }

        var alpha = FlatVectors.Spread(taskGradients.Count, present, k == 0 ? [] : MinNormSolver.Solve(gram, Options.MaxIterations, Options.Tolerance));
        LastWeights = alpha;
        FlatVectors.CombinationInto(taskGradients, alpha, d);
        if (Options.ScaleByTaskCount)
        {
            TensorPrimitives.Multiply(d, k, d);
        }
    }
}
