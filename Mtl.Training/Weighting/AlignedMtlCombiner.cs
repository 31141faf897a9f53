using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Mtl.Training.Weighting;

/// <summary>
/// Aligned-MTL (Senushkin et al. 2023, "Independent Component Alignment for Multi-Task Learning"): the
/// task gradients are replaced by an orthogonal system of equal norms spanning the same space, and summed. With
/// the Gram matrix G = JJᵀ = VΛVᵀ (eigenvalues of rank R kept, λ_R the smallest of them), the balanced rows are
/// J̃ = BJ with B = √λ_R·V Λ^(−½) Vᵀ, so that J̃J̃ᵀ = λ_R·I on the span; d = Σᵢ g̃ᵢ = Σⱼ αⱼgⱼ with α = B·1 (the
/// condition number of the aligned system is 1: no task dominates, none is lost).
/// </summary>
/// <remarks>The rank is the count of eigenvalues above λ_max·K·ε (LibMTL's threshold, with float64's ε). The
/// result does not depend on the eigenvectors' signs (B is built from VVᵀ-like products). A task whose gradient
/// is exactly zero (absent from the batch) is left out, with weight 0.</remarks>
public sealed class AlignedMtlCombiner : IGramCombiner
{
    /// <summary>float64's machine epsilon, 2⁻⁵².</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <inheritdoc />
    public string Name => "aligned-mtl";

    /// <summary>The weights αⱼ of the last call, for logging.</summary>
    public IReadOnlyList<double>? LastWeights { get; private set; }

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients) => GramCombination.Combine(this, taskGradients);

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d) => GramCombination.CombineInto(this, null, taskGradients, d);

    /// <inheritdoc />
    public void WeightsInto(IReadOnlyList<string> tasks, double[,] gram, Span<double> weights)
    {
        LastWeights = GramCombination.SolvePresent(gram, weights, g =>
        {
            var b = Balancing(g);
            int k = g.GetLength(0);
            var alpha = new double[k];
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    alpha[j] += b[i, j];
                }
            }

            return alpha;
        });
    }

    /// <summary>B = √λ_R·V_R Λ_R^(−½) V_Rᵀ over the eigenpairs of G above the rank threshold (the aligned rows are BJ).</summary>
    internal static double[,] Balancing(double[,] gram)
    {
        int k = gram.GetLength(0);
        if (k == 0)
        {
            return new double[0, 0];
        }

        var evd = Matrix<double>.Build.DenseOfArray(gram).Evd(Symmetricity.Symmetric);
        var lambda = evd.EigenValues.Select(e => e.Real).ToArray();
        double max = lambda.Max();
        double threshold = max * k * MachineEpsilon;
        var kept = Enumerable.Range(0, k).Where(i => lambda[i] > threshold).ToArray();
        double smallest = kept.Min(i => lambda[i]);
        var b = new double[k, k];
        foreach (int e in kept)
        {
            double factor = Math.Sqrt(smallest / lambda[e]);
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    b[i, j] += factor * evd.EigenVectors[i, e] * evd.EigenVectors[j, e];
                }
            }
        }

        return b;
    }
}
