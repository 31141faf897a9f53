using MathNet.Numerics.LinearAlgebra;

namespace Mtl.Training.Weighting;

/// <summary>
/// IMTL-G, the gradient half of impartial multi-task learning (Liu et al. 2021, "Towards Impartial Multi-task
/// Learning"): the update d = Σ αᵢgᵢ with Σ αᵢ = 1 has an equal projection onto every task's unit gradient
/// uᵢ = gᵢ/‖gᵢ‖, d·u₁ = d·u₂ = … = d·u_K. With D = [g₁ − g₂, …, g₁ − g_K]ᵀ and U = [u₁ − u₂, …, u₁ − u_K]ᵀ,
/// (α₂, …, α_K) = g₁Uᵀ(DUᵀ)⁻¹ and α₁ = 1 − Σ_{i≥2} αᵢ. Everything is read off the Gram matrix:
/// (u₁ − uᵢ)·(g₁ − gⱼ) = G₁₁/n₁ − G₁ⱼ/n₁ − Gᵢ₁/nᵢ + Gᵢⱼ/nᵢ with nᵢ = ‖gᵢ‖.
/// </summary>
/// <remarks>When the gradients are linearly dependent DUᵀ is singular; the pseudo-inverse then gives the
/// least-squares weights (LibMTL's <c>torch.inverse</c> would fail or return non-finite values). A task whose
/// gradient is exactly zero (absent from the batch) has no direction and is left out, with weight 0.</remarks>
public sealed class ImtlGCombiner : IGramCombiner
{
    /// <inheritdoc />
    public string Name => "imtl-g";

    /// <summary>The weights αᵢ of the last call, for logging.</summary>
    public IReadOnlyList<double>? LastWeights { get; private set; }

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients) => GramCombination.Combine(this, taskGradients);

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d) => GramCombination.CombineInto(this, null, taskGradients, d);

    /// <inheritdoc />
    public void WeightsInto(IReadOnlyList<string> tasks, double[,] gram, Span<double> weights)
    {
        LastWeights = GramCombination.SolvePresent(gram, weights, Weights);
    }

    /// <summary>The weights α from the Gram matrix of non-zero gradients.</summary>
    internal static double[] Weights(double[,] gram)
    {
        int k = gram.GetLength(0);
        if (k <= 1)
        {
            return k == 0 ? [] : [1.0];
        }

        var n = Enumerable.Range(0, k).Select(i => Math.Sqrt(gram[i, i])).ToArray();

        // αᵀ = g₁Uᵀ(DUᵀ)⁻¹, i.e. (UDᵀ)·α = U·g₁ with (UDᵀ)ᵢⱼ = (u₁ − uᵢ)·(g₁ − gⱼ) for i, j ≥ 2.
        var system = Matrix<double>.Build.Dense(k - 1, k - 1, (r, c) =>
        {
            int i = r + 1, j = c + 1;
            return (gram[0, 0] / n[0]) - (gram[0, j] / n[0]) - (gram[i, 0] / n[i]) + (gram[i, j] / n[i]);
        });
        var rhs = Vector<double>.Build.Dense(k - 1, r => (gram[0, 0] / n[0]) - (gram[r + 1, 0] / n[r + 1]));
        var tail = system.PseudoInverse() * rhs;
        var alpha = new double[k];
        alpha[0] = 1;
        for (int i = 1; i < k; i++)
        {
            alpha[i] = tail[i - 1];
            alpha[0] -= tail[i - 1];
        }

        if (alpha.Any(a => !double.IsFinite(a)))
        {
            throw new InvalidOperationException($"IMTL-G: the weights are not finite ({string.Join(", ", alpha)}) for the task gradients' Gram matrix.");
        }

        return alpha;
    }
}
