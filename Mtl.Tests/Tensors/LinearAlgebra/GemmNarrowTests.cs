using Mtl.Tensors;

namespace Mtl.Tests.Tensors.LinearAlgebra;

/// <summary>C = A·Bᵀ with n ≤ 24 (and A·B with n = 1) takes the dot-product path (<see cref="GemmNarrow{T}"/>).</summary>
public class GemmNarrowTests
{
    private static readonly MatrixTranspose N = MatrixTranspose.None, T = MatrixTranspose.Transpose;

    /// <summary>
    /// m around the 4-row block (1, 3, 4, 5, 255, 257), n from 1 to one past <see cref="GemmNarrow{T}.MaxN"/>
    /// (blocks of 4 columns, partial ones of 3, and blocks of 2 and 1), k below one vector, at a whole
    /// number of vectors and one past (masked tail), for 16 floats, 8 doubles, 8 floats and 4 doubles a
    /// vector. Shapes the path leaves to the register tiles (n = 13..16 for some kinds, 25) must agree too.
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (3, 2, 1), (3, 3, 3), (4, 4, 4), (5, 5, 7), (7, 6, 8), (9, 7, 15), (4, 8, 16), (13, 9, 17),
        (255, 10, 512), (257, 12, 513), (6, 11, 31), (33, 13, 33), (5, 14, 100), (2, 15, 255), (17, 16, 65),
        (8, 17, 40), (9, 18, 9), (5, 21, 70), (6, 24, 24), (7, 25, 30), (300, 1, 47),
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var (m, n, k) in Shapes)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                yield return new TestCaseData(m, n, k, accumulate);
            }
        }
    }

    /// <summary>Every kernel kind this machine runs (the narrow path for the kinds that have it, tiles otherwise).</summary>
    [TestCaseSource(nameof(Cases))]
    public void FloatMatchesDoubleOracle(int m, int n, int k, bool accumulate) =>
        GemmKernelScope.ForEach(_ => GemmTests.CheckAgainstOracle<float>(N, T, m, n, k, accumulate, seed: (m * 31) + (n * 7) + k));

    [TestCaseSource(nameof(Cases))]
    public void DoubleMatchesDoubleOracle(int m, int n, int k, bool accumulate) =>
        GemmKernelScope.ForEach(_ => GemmTests.CheckAgainstOracle<double>(N, T, m, n, k, accumulate, seed: (m * 31) + (n * 7) + k + 1));

    /// <summary>
    /// Threads split C by row blocks; each element's arithmetic is the same whichever block holds it. Run
    /// on every kind this machine has: each of these shapes is split in two there (whatever path the kind
    /// gives it: <see cref="NarrowPathIsChosenByKind"/> says which).
    /// </summary>
    [TestCase(1000, 10, 512, false)]
    [TestCase(1001, 12, 515, true)]
    [TestCase(257, 16, 2049, false)]
    [TestCase(511, 3, 700, false)]
    [TestCase(1003, 1, 1000, true)]
    [TestCase(1003, 1, 1000, false)]
    public void OneAndTwoThreadsAgreeBitwise(int m, int n, int k, bool accumulate) =>
        GemmKernelScope.ForEach(kind =>
        {
            var plan = GemmPlan.For<float>(ta: false, tb: true, m, n, k, kind, threads: 2);
            if (plan.Path != GemmPath.MatrixVector)
            {
                Assert.That(plan.Parts, Is.EqualTo(2), $"{kind}: {plan} must split the shape between threads");
            }

            AgreeBitwise<float>(m, n, k, accumulate);
            AgreeBitwise<double>(m, n, k, accumulate);
        });

    /// <summary>
    /// Which kinds compute these C = A·Bᵀ as dot products (a pure function of shape and kind, so it is
    /// checked for every kind on any machine): the 8×32 float tiles of AVX-512 would waste half their
    /// columns at n = 16, the 6×16 of AVX2 none, and the 128-bit and scalar kinds have no dot kernel.
    /// </summary>
    [TestCase(1000, 10, 512, "Vector512,Vector256")]
    [TestCase(1001, 12, 515, "Vector512,Vector256")]
    [TestCase(257, 16, 2049, "Vector512")]
    [TestCase(511, 3, 700, "Vector512,Vector256")]
    [TestCase(1003, 1, 1000, "Vector512,Vector256")]
    [TestCase(100, 25, 100, "")]
    public void NarrowPathIsChosenByKind(int m, int n, int k, string narrowKinds)
    {
        foreach (var kind in Enum.GetValues<GemmKernelKind>())
        {
            var plan = GemmPlan.For<float>(ta: false, tb: true, m, n, k, kind, threads: 2);
            bool expected = narrowKinds.Split(',').Contains(kind.ToString());
            Assert.That(plan.Path == GemmPath.Narrow, Is.EqualTo(expected), $"{kind}: {plan}");
        }
    }

    /// <summary>
    /// The last k mod W elements are masked loads, zero past k in both operands: an infinity just before
    /// the end is counted once, and the zero padding never meets it (0·∞ = NaN).
    /// </summary>
    [Test]
    public void InfinityNearTheEndOfKIsCountedOnce([Values] bool inA)
    {
        const int m = 5, n = 3, k = 37;
        var a = new float[m * k];
        var b = new float[n * k];
        Array.Fill(a, 1f);
        Array.Fill(b, 1f);
        (inA ? a : b)[k - 1] = float.PositiveInfinity; // row 0, last element (in the masked tail)
        (inA ? a : b)[k - 6] = float.PositiveInfinity; // row 0, in the last full vector of 16 (or 8)
        var c = new float[m * n];
        GemmKernelScope.ForEach(kind =>
        {
            Gemm.Multiply<float>(N, T, m, n, k, a, b, c, accumulate: false);
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    bool infinite = inA ? i == 0 : j == 0;
                    Assert.That(c[(i * n) + j], Is.EqualTo(infinite ? float.PositiveInfinity : k), $"{kind}: C[{i},{j}]");
                }
            }
        });
    }

    /// <summary>Operands are slices whose surroundings (NaN) must not be read, and C's must not be written.</summary>
    [Test]
    public void StaysInsideItsSpans([Values(3, 9, 37)] int k, [Values(1, 10)] int n)
    {
        const int m = 7, guard = 64;
        float[] a = GemmTests.Guarded(Tensor.RandomNormal<float>(1, m * k).ToArray(), guard, float.NaN);
        float[] b = GemmTests.Guarded(Tensor.RandomNormal<float>(2, k * n).ToArray(), guard, float.NaN);
        float[] c = GemmTests.Guarded(new float[m * n], guard, 123f);
        GemmKernelScope.ForEach(kind =>
        {
            Gemm.Multiply<float>(N, T, m, n, k, a.AsSpan(guard, m * k), b.AsSpan(guard, k * n), c.AsSpan(guard, m * n), accumulate: true);
            Assert.That(c.AsSpan(guard, m * n).ToArray(), Has.All.Not.NaN, $"{kind}: a NaN guard leaked into C");
            Assert.That(c[..guard].Concat(c[(guard + (m * n))..]), Has.All.EqualTo(123f), $"{kind}: C was written outside its span");
        });
    }

    private static void AgreeBitwise<TValue>(int m, int n, int k, bool accumulate)
        where TValue : unmanaged, System.Numerics.IFloatingPointIeee754<TValue>
    {
        int previous = MtlThreads.Count;
        try
        {
            var a = Tensor.RandomNormal<TValue>(11, m * k).ToArray();
            var b = Tensor.RandomNormal<TValue>(12, k * n).ToArray();
            var c0 = Tensor.RandomNormal<TValue>(13, m * n).ToArray();
            var one = (TValue[])c0.Clone();
            var two = (TValue[])c0.Clone();
            MtlThreads.Count = 1;
            Gemm.Multiply<TValue>(N, T, m, n, k, a, b, one, accumulate);
            MtlThreads.Count = 2;
            Gemm.Multiply<TValue>(N, T, m, n, k, a, b, two, accumulate);
            Assert.That(two, Is.EqualTo(one).AsCollection, typeof(TValue).Name);
        }
        finally
        {
            MtlThreads.Count = previous;
        }
    }
}
