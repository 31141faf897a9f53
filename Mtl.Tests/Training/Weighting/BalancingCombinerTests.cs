using MathNet.Numerics.LinearAlgebra;
using Mtl.Tensors;
using Mtl.Training.Weighting;
using static Mtl.Tests.Training.Weighting.GradientMath;

namespace Mtl.Tests.Training.Weighting;

/// <summary>IMTL-G and Aligned-MTL against hand-solved cases, their defining properties, and an independent solve.</summary>
public class BalancingCombinerTests
{
    [Test]
    public void ImtlGOfTwoTasksByHand()
    {
        // g₁ = (1, 0), g₂ = (0, 2): u₁ − u₂ = (1, −1), α₂ = g₁·(u₁ − u₂) / ((g₁ − g₂)·(u₁ − u₂)) = 1/3, α₁ = 2/3,
        // d = (2/3, 2/3), and d·u₁ = d·u₂ = 2/3.
        var imtl = new ImtlGCombiner();
        Assert.That(imtl.Combine([[1.0, 0], [0.0, 2]]), Is.EqualTo(new[] { 2.0 / 3, 2.0 / 3 }).Within(1e-15));
        Assert.That(imtl.LastWeights, Is.EqualTo(new[] { 2.0 / 3, 1.0 / 3 }).Within(1e-15));
    }

    [Test]
    public void ImtlGEqualisesTheProjectionsOntoEveryUnitGradient()
    {
        var random = new SeededRandom(5);
        for (int trial = 0; trial < 20; trial++)
        {
            int k = 2 + (trial % 4);
            var g = RandomRows(random, k, 7);
            var imtl = new ImtlGCombiner();
            var d = imtl.Combine(g);

            // Independently, in the primal: Σα = 1 and (Σαⱼgⱼ)·(uᵢ − u₁) = 0 for i ≥ 2, a K×K system on the vectors.
            var a = new double[k, k];
            var b = new double[k];
            var u = g.Select(row => row.Select(v => v / Norm(row)).ToArray()).ToArray();
            for (int j = 0; j < k; j++)
            {
                a[0, j] = 1;
                for (int i = 1; i < k; i++)
                {
                    a[i, j] = Dot(g[j], u[i]) - Dot(g[j], u[0]);
                }
            }

            b[0] = 1;
            var alpha = Solve(a, b)!;
            Assert.That(imtl.LastWeights, Is.EqualTo(alpha).Within(1e-11), $"trial {trial}");
            var projections = u.Select(unit => Dot(d, unit)).ToArray();
            Assert.That(projections, Has.All.EqualTo(projections[0]).Within(1e-12 * Norm(d)));
        }
    }

    [Test]
    public void ImtlGWithADuplicatedTaskMatchesTheTwoTaskUpdate()
    {
        // DUᵀ is singular; its pseudo-inverse still meets Σα = 1 and the equal projections, and those fix d:
        // d = (α₁ + α₃)g₁ + α₂g₂ with the two-task problem's weights.
        double[] g1 = [1, 0.3, -0.2], g2 = [-0.8, 1, 0.1];
        var imtl = new ImtlGCombiner();
        var d = imtl.Combine([g1, g2, g1]);
        Assert.That(d, Is.EqualTo(new ImtlGCombiner().Combine([g1, g2])).Within(1e-12));
        Assert.That(imtl.LastWeights!.Sum(), Is.EqualTo(1).Within(1e-12));
    }

    [Test]
    public void ImtlGOfOneTaskIsItsGradientAndAnAbsentTaskIsLeftOut()
    {
        double[] g = [0.6, -1.2, 0.3], h = [-0.5, 0.4, 0.1], zero = new double[3];
        Assert.That(new ImtlGCombiner().Combine([g]), Is.EqualTo(g));
        var imtl = new ImtlGCombiner();
        Assert.That(imtl.Combine([g, zero, h]), Is.EqualTo(new ImtlGCombiner().Combine([g, h])).Within(1e-15));
        Assert.That(imtl.LastWeights![1], Is.Zero);
        Assert.That(new ImtlGCombiner().Combine([zero, zero]), Is.EqualTo(zero));
    }

    [Test]
    public void AlignedMtlOfOrthogonalGradientsGivesThemTheSmallestNorm()
    {
        // G = diag(1, 9): λ_min = 1, B = diag(1, 1/3), so g̃₁ = (1, 0), g̃₂ = (0, 1) and d = (1, 1).
        var aligned = new AlignedMtlCombiner();
        Assert.That(aligned.Combine([[1.0, 0], [0.0, 3]]), Is.EqualTo(new[] { 1.0, 1.0 }).Within(1e-15));
        Assert.That(aligned.LastWeights, Is.EqualTo(new[] { 1.0, 1.0 / 3 }).Within(1e-15));
    }

    [TestCase(2, 5)]
    [TestCase(3, 6)]
    [TestCase(4, 4)]
    [TestCase(5, 9)]
    public void AlignedMtlMatchesTheSvdOfTheJacobian(int k, int n)
    {
        // Independently of the Gram matrix's eigendecomposition: J = UΣVᵀ (thin SVD), the aligned Jacobian is
        // σ_min·UVᵀ, and d is the sum of its rows.
        var random = new SeededRandom((ulong)(10 * k) + (ulong)n);
        for (int trial = 0; trial < 5; trial++)
        {
            var g = RandomRows(random, k, n);
            var d = new AlignedMtlCombiner().Combine(g);
            Assert.That(d, Is.EqualTo(AlignedBySvd(g)).Within(1e-11), $"trial {trial}");
        }
    }

    [Test]
    public void AlignedMtlOfARankDeficientJacobianWorksOnItsSpan()
    {
        double[] g1 = [1, 0.3, -0.2, 0.5], g2 = [-0.8, 1, 0.1, 0];
        double[][] g = [g1, g2, [.. g1.Zip(g2, (a, b) => a + b)]];
        var d = new AlignedMtlCombiner().Combine(g);
        Assert.That(d, Is.EqualTo(AlignedBySvd(g)).Within(1e-11));
        Assert.That(d.All(double.IsFinite));
    }

    [Test]
    public void AlignedMtlLeavesAnAbsentTaskOut()
    {
        double[] g = [0.6, -1.2, 0.3], h = [-0.5, 0.4, 0.1], zero = new double[3];
        var aligned = new AlignedMtlCombiner();
        Assert.That(aligned.Combine([g, zero, h]), Is.EqualTo(new AlignedMtlCombiner().Combine([g, h])).Within(1e-15));
        Assert.That(aligned.LastWeights![1], Is.Zero);
        Assert.That(new AlignedMtlCombiner().Combine([g, zero]), Is.EqualTo(g).Within(1e-15), "one task: g̃ = σ·g/‖g‖ = g");
    }

    [Test]
    public void TheyRejectGradientsOfDifferentLengths()
    {
        IGradientCombiner[] all = [new ImtlGCombiner(), new AlignedMtlCombiner()];
        foreach (var c in all)
        {
            Assert.Throws<ArgumentException>(() => c.Combine([[1.0, 2], [1.0]]), c.Name);
            Assert.Throws<ArgumentException>(() => c.Combine([]), c.Name);
        }
    }

    /// <summary>Σᵢ rows of σ_R·U_R·V_Rᵀ over the singular values above the rank threshold.</summary>
    private static double[] AlignedBySvd(double[][] g)
    {
        var j = Matrix<double>.Build.DenseOfRowArrays(g);
        var svd = j.Svd(computeVectors: true);
        var s = svd.S.ToArray();
        int rank = s.Count(v => v > s[0] * 1e-10);
        double smallest = s[rank - 1];
        var aligned = smallest * svd.U.SubMatrix(0, g.Length, 0, rank) * svd.VT.SubMatrix(0, rank, 0, g[0].Length);
        return aligned.ColumnSums().ToArray();
    }
}
