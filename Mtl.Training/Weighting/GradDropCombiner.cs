using Mtl.Tensors;

namespace Mtl.Training.Weighting;

/// <summary>
/// GradDrop, gradient sign dropout (Chen et al. 2020, "Just Pick a Sign"): per coordinate k, the sign
/// purity Pₖ = ½(1 + Σᵢ gᵢₖ / Σᵢ |gᵢₖ|) is the chance of keeping the positive side; with Uₖ uniform in [0, 1),
/// the tasks whose gᵢₖ has the chosen sign pass and the others are dropped: dₖ = Σᵢ Mᵢₖgᵢₖ with
/// Mᵢₖ = 𝟙[Uₖ &lt; Pₖ]·𝟙[gᵢₖ &gt; 0] + 𝟙[Uₖ ≥ Pₖ]·𝟙[gᵢₖ &lt; 0]. A leak ℓ lets the dropped side through scaled,
/// Mᵢₖ' = ℓ + (1 − ℓ)Mᵢₖ. When every task agrees on a sign (Pₖ ∈ {0, 1}) it always passes: dₖ = Σᵢ gᵢₖ.
/// </summary>
/// <remarks>One Uₖ is drawn per coordinate per call, in coordinate order, from a <see cref="SeededRandom"/>
/// whose state is saved with a checkpoint. The paper applies GradDrop to the gradients at a shared activation;
/// here it acts on whichever rows the trainer gives it (parameters or, with
/// <see cref="TaskGradientSpace.Representation"/>, the representation, which is the paper's setting). A zero
/// row (an absent task) adds nothing to either side.</remarks>
public sealed class GradDropCombiner : IGradientCombiner
{
    private readonly SeededRandom _random;

    /// <summary>Creates the combiner.</summary>
    /// <param name="seed">Seed of the draws Uₖ.</param>
    /// <param name="leak">ℓ ∈ [0, 1]: 0 drops the losing sign entirely (the paper's default), 1 is the plain sum.</param>
    public GradDropCombiner(int seed = 0, double leak = 0)
    {
        if (!(leak >= 0 && leak <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(leak), leak, "GradDrop: the leak must be in [0, 1].");
        }

        Leak = leak;
        _random = new SeededRandom(seed);
    }

    /// <summary>ℓ.</summary>
    public double Leak { get; }

    /// <inheritdoc />
    public string Name => "graddrop";

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
        for (int k = 0; k < d.Length; k++)
        {
            double positive = 0, negative = 0;
            for (int i = 0; i < taskGradients.Count; i++)
            {
                double v = taskGradients[i][k];
                if (v > 0)
                {
                    positive += v;
                }
                else
                {
                    negative += v;
                }
            }

            // P = ½(1 + (positive + negative)/(positive − negative)) = positive/(positive − negative).
            double u = _random.NextDouble();
            double total = positive - negative;
            double purity = total > 0 ? positive / total : 0;
            d[k] = u < purity ? positive + (Leak * negative) : negative + (Leak * positive);
        }
    }

    /// <summary>Writes the generator's state as <c>random</c>.</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("random", _random);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _random.SetState(state.GetRandom("random"));
    }
}
