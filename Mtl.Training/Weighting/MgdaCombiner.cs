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
public sealed class MgdaCombiner : IGramCombiner
{
    private double[] _last = [], _alpha = [], _scratch = [];
    private int[] _present = [];

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

    /// <summary>The weights αᵢ of the last call (before any scaling by K), for logging; the next call overwrites them.</summary>
    public IReadOnlyList<double>? LastWeights { get; private set; }

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients) => GramCombination.Combine(this, taskGradients);

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d) => GramCombination.CombineInto(this, null, taskGradients, d);

    /// <inheritdoc />
    public void WeightsInto(IReadOnlyList<string> tasks, double[,] gram, Span<double> weights)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int count = gram.GetLength(0);
        if (_last.Length != count)
        {
            _last = new double[count];
            _present = new int[count];
            _alpha = new double[count];
            _scratch = new double[count];
        }

        int k = GramCombination.PresentRows(gram, _present);
        var sub = GramCombination.Restrict(gram, _present.AsSpan(0, k));
        if (Options.Normalization == MgdaNormalization.L2)
        {
            for (int i = 0; i < k; i++)
            {
                _scratch[i] = Math.Sqrt(sub[i, i]);
            }

            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    sub[i, j] /= _scratch[i] * _scratch[j];
                }
            }
        }

        Array.Clear(_last);
        if (k > 0)
        {
            MinNormSolver.SolveInto(sub, _alpha.AsSpan(0, k), _scratch.AsSpan(0, k), Options.MaxIterations, Options.Tolerance);
            for (int j = 0; j < k; j++)
            {
                _last[_present[j]] = _alpha[j];
            }
        }

        LastWeights = _last;
        double scale = Options.ScaleByTaskCount ? k : 1;
        for (int i = 0; i < count; i++)
        {
            weights[i] = _last[i] * scale;
        }
    }
}
