using Mtl.Tensors;

namespace Mtl.Training.Weighting;

/// <summary>
/// PCGrad, gradient surgery (Yu et al. 2020, Algorithm 1): for each task i, starting from gᵢᴾᶜ = gᵢ and
/// visiting the other tasks j in a random order, if gᵢᴾᶜ·gⱼ &lt; 0 project gᵢᴾᶜ onto the normal plane of
/// gⱼ, gᵢᴾᶜ ← gᵢᴾᶜ − (gᵢᴾᶜ·gⱼ / ‖gⱼ‖²)·gⱼ; then d = Σ gᵢᴾᶜ. Projections are onto the original gⱼ, not
/// their projected versions, as in the paper. Non-conflicting pairs are left alone.
/// </summary>
/// <remarks>The random orders come from a <see cref="SeededRandom"/>, a fresh order per task per call, so a
/// run is reproducible from the seed; the generator's state is saved with a checkpoint, so a resumed run
/// draws the orders an uninterrupted one would have. A zero gradient (an absent task) never projects
/// another, and adds nothing.</remarks>
public sealed class PCGradCombiner(int seed = 0) : IGramCombiner
{
    private readonly SeededRandom _random = new(seed);
    private double[] _c = [];
    private int[] _order = [];

    /// <inheritdoc />
    public string Name => "pcgrad";

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients) => GramCombination.Combine(this, taskGradients);

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d) => GramCombination.CombineInto(this, null, taskGradients, d);

    /// <inheritdoc />
    /// <remarks>
    /// Every gᵢᴾᶜ is a combination Σₖ cᵢₖ·gₖ of the original rows, so the algorithm runs on the T×T Gram matrix
    /// G: gᵢᴾᶜ·gⱼ = Σₖ cᵢₖ·Gₖⱼ and a projection only changes cᵢⱼ by −(gᵢᴾᶜ·gⱼ)/Gⱼⱼ; then αₖ = Σᵢ cᵢₖ. The rows are
    /// read twice in all (once for G, once for d = Σₖ αₖ·gₖ) instead of about 2T² times. The same steps as the
    /// paper's, in exact arithmetic; the rounding differs in the last bits.
    /// </remarks>
    public void WeightsInto(IReadOnlyList<string> tasks, double[,] gram, Span<double> weights)
    {
        ArgumentNullException.ThrowIfNull(gram);
        int k = gram.GetLength(0);
        if (_c.Length != k)
        {
            _c = new double[k];
            _order = new int[k];
        }

        var c = _c;
        weights[..k].Clear();
        for (int i = 0; i < k; i++)
        {
            Array.Clear(c);
            c[i] = 1;
            for (int m = 0; m < k; m++)
            {
                _order[m] = m;
            }

            _random.Shuffle<int>(_order);
            foreach (int j in _order)
            {
                if (j == i)
                {
                    continue;
                }

                double dot = 0;
                for (int m = 0; m < k; m++)
                {
                    dot += c[m] * gram[m, j];
                }

                if (dot < 0)
                {
                    c[j] -= dot / gram[j, j];
                }
            }

            for (int m = 0; m < k; m++)
            {
                weights[m] += c[m];
            }
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
