namespace Mtl.Training.Weighting;

/// <summary>
/// CAGrad, conflict-averse gradient descent (Liu et al. 2021): the update d maximises the worst task's
/// improvement minᵢ gᵢ·d within a ball ‖d − g₀‖ ≤ c‖g₀‖ around the mean gradient g₀ = (1/K)Σgᵢ. Its dual
/// is a problem over the simplex, min_w F(w) = g_w·g₀ + √φ‖g_w‖ with g_w = Σwᵢgᵢ and φ = c²‖g₀‖², and
/// then d = g₀ + (√φ/‖g_w‖)·g_w, divided by (1 + c²) as in the reference implementation (see
/// <see cref="CAGradRescale"/>). With c = 0, d = g₀.
/// </summary>
/// <remarks>The inner problem is solved by <see cref="CAGradDual"/>. A task whose gradient is exactly zero
/// (absent from the batch) is left out: the mean and the ball are over the K tasks present (with it, the mean
/// of [g, 0] would halve g), and its weight is 0.</remarks>
public sealed class CAGradCombiner : IGradientCombiner
{
    private double[]? _combined;

    /// <summary>Creates the combiner.</summary>
    public CAGradCombiner(CAGradOptions? options = null)
    {
        Options = options ?? new CAGradOptions();
        Options.Validate();
    }

    /// <summary>The hyper-parameters.</summary>
    public CAGradOptions Options { get; }

    /// <inheritdoc />
    public string Name => "cagrad";

    /// <summary>The simplex weights w of the last call, for logging.</summary>
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
        int k = rows.Length;
        if (k == 0)
        {
            LastWeights = new double[taskGradients.Count];
            d.Clear();
            return;
        }

        var uniform = Enumerable.Repeat(1.0 / k, k).ToArray();
        FlatVectors.CombinationInto(rows, uniform, d);
        double sqrtPhi = Options.C * Math.Sqrt(FlatVectors.Dot(d, d));
        if (sqrtPhi == 0)
        {
            LastWeights = FlatVectors.Spread(taskGradients.Count, present, uniform);
            return;
        }

        var w = CAGradDual.SolveWeights(FlatVectors.Gram(rows), sqrtPhi, Options.MaxIterations, Options.Tolerance);
        LastWeights = FlatVectors.Spread(taskGradients.Count, present, w);
        var gw = _combined is { } scratch && scratch.Length == d.Length ? scratch : _combined = new double[d.Length];
        FlatVectors.CombinationInto(rows, w, gw);
        double gwNorm = Math.Sqrt(FlatVectors.Dot(gw, gw));
        if (gwNorm > 0)
        {
            FlatVectors.AddScaled(d, sqrtPhi / gwNorm, gw);
        }

        double scale = Options.Rescale switch
        {
            CAGradRescale.OnePlusCSquared => 1 / (1 + (Options.C * Options.C)),
            CAGradRescale.OnePlusC => 1 / (1 + Options.C),
            _ => 1,
        };
        TensorPrimitives.Multiply(d, scale, d);
    }
}
