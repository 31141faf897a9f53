using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using Mtl.Tensors;

namespace Mtl.Tests.Tensors.LinearAlgebra;

public class GemmTests
{
    private static readonly MatrixTranspose N = MatrixTranspose.None, T = MatrixTranspose.Transpose;

    /// <summary>
    /// (m, n, k) drawn from {1, 3, 7, 63, 64, 65, 127, 129, 255, 257, 1000}: every tile remainder of the
    /// 8×32, 6×16 and 4×4 kernels, k above and below the KC = 256 slice, m above MC, and long thin shapes.
    /// </summary>
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (3, 7, 1), (7, 3, 63), (64, 64, 64), (65, 63, 127), (127, 129, 65), (129, 255, 257),
        (255, 1, 129), (1, 257, 255), (257, 65, 7), (1000, 3, 64), (7, 1000, 129), (63, 127, 1000),
        (1000, 64, 255),
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var (ta, tb) in new[] { (N, N), (N, T), (T, N), (T, T) })
        {
            foreach (var (m, n, k) in Shapes)
            {
                foreach (bool accumulate in new[] { false, true })
                {
                    yield return new TestCaseData(ta, tb, m, n, k, accumulate);
                }
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void FloatMatchesDoubleOracle(MatrixTranspose ta, MatrixTranspose tb, int m, int n, int k, bool accumulate) =>
        CheckAgainstOracle<float>(ta, tb, m, n, k, accumulate, seed: (m * 31) + (n * 7) + k);

    [TestCaseSource(nameof(Cases))]
    public void DoubleMatchesDoubleOracle(MatrixTranspose ta, MatrixTranspose tb, int m, int n, int k, bool accumulate) =>
        CheckAgainstOracle<double>(ta, tb, m, n, k, accumulate, seed: (m * 31) + (n * 7) + k + 1);

    [Test]
    public void WideCSpansSeveralNcBlocks() => CheckAgainstOracle<float>(N, T, 3, 4200, 5, accumulate: true, seed: 9);

    /// <summary>
    /// Every kernel kind this machine runs (the scalar one always; the 128-bit, AVX2 and AVX-512 ones where
    /// the hardware has them), forced on hardware that would pick a wider one.
    /// </summary>
    [Test]
    public void EveryKernelKindMatchesOracle([Values] bool transposeA) =>
        GemmKernelScope.ForEach(_ =>
        {
            var ta = transposeA ? T : N;
            CheckAgainstOracle<float>(ta, N, 65, 129, 257, accumulate: false, seed: 3);
            CheckAgainstOracle<double>(ta, T, 127, 63, 300, accumulate: true, seed: 4);
            CheckAgainstOracle<float>(ta, T, 13, 37, 600, accumulate: true, seed: 5);
        });

    /// <summary>Each element is computed by one thread in one order, so the thread count changes no bit.</summary>
    [TestCase(300, 200, 300, false)] // more tiles along m
    [TestCase(64, 1000, 200, true)] // more tiles along n
    [TestCase(257, 513, 129, false)]
    [TestCase(100, 90, 70, true)] // small
    [TestCase(12, 512, 256, true)] // a head's weight gradient (TN): few rows
    [TestCase(256, 512, 12, false)] // a head's input gradient (NN): short k
    [TestCase(1001, 40, 63, true)] // ragged in all three dimensions
    [TestCase(256, 512, 256, false)] // the dense layers' shapes
    [TestCase(512, 512, 256, true)]
    [TestCase(100, 2100, 300, true)] // two NC blocks of op(B) and two KC slices shared between the threads
    public void OneAndTwoThreadsAgreeBitwise(int m, int n, int k, bool accumulate) =>
        GemmKernelScope.ForEach(kind => OneAndTwoThreadsAgree(kind, m, n, k, accumulate));

    private static void OneAndTwoThreadsAgree(GemmKernelKind kind, int m, int n, int k, bool accumulate)
    {
        int previous = MtlThreads.Count;
        try
        {
            foreach (var (ta, tb) in new[] { (N, N), (N, T), (T, N), (T, T) })
            {
                var plan = GemmPlan.For<float>(ta == T, tb == T, m, n, k, kind, threads: 2);
                Assert.That(plan.Parts, Is.EqualTo(2), $"{kind} {ta}/{tb}: {plan} must split the shape between threads");
                var a = Tensor.RandomNormal<float>(11, m * k).ToArray();
                var b = Tensor.RandomNormal<float>(12, k * n).ToArray();
                var c0 = Tensor.RandomNormal<float>(13, m * n).ToArray();
                var one = (float[])c0.Clone();
                var two = (float[])c0.Clone();
                MtlThreads.Count = 1;
                Gemm.Multiply<float>(ta, tb, m, n, k, a, b, one, accumulate);
                MtlThreads.Count = 2;
                Gemm.Multiply<float>(ta, tb, m, n, k, a, b, two, accumulate);
                Assert.That(two, Is.EqualTo(one).AsCollection, $"{kind} {ta}/{tb}: {plan}");
            }
        }
        finally
        {
            MtlThreads.Count = previous;
        }
    }

    /// <summary>
    /// Products run from two threads at once: one of them finds the worker pool busy and runs its product
    /// alone (a packed product split by rows cannot run its parts one after another: they wait for each
    /// other), the other splits it. Every result must still be bitwise the single-threaded one.
    /// </summary>
    [Test]
    public void ConcurrentProductsGiveTheSingleThreadedBits()
    {
        const int m = 192, n = 300, k = 260;
        foreach (var kind in Enum.GetValues<GemmKernelKind>())
        {
            Assert.That(GemmPlan.For<float>(ta: false, tb: true, m, n, k, kind, threads: 2), Is.EqualTo(new GemmPlan(GemmPath.Packed, 2, SplitColumns: false)), $"{kind}");
        }

        var a = Tensor.RandomNormal<float>(31, m * k).ToArray();
        var b = Tensor.RandomNormal<float>(32, k * n).ToArray();
        var expected = new float[m * n];
        int previous = MtlThreads.Count;
        try
        {
            MtlThreads.Count = 1;
            Gemm.Multiply<float>(N, T, m, n, k, a, b, expected, accumulate: false);
            MtlThreads.Count = 2;
            var results = new float[4][];
            var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
            {
                var c = new float[m * n];
                for (int i = 0; i < 25; i++)
                {
                    Gemm.Multiply<float>(N, T, m, n, k, a, b, c, accumulate: false);
                }

                results[t] = c;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            foreach (var c in results)
            {
                Assert.That(c, Is.EqualTo(expected).AsCollection);
            }
        }
        finally
        {
            MtlThreads.Count = previous;
        }
    }

    /// <summary>
    /// The unpacked (GemmDirect) and packed (GemmBlocked) paths do the same arithmetic per element, so
    /// choosing between them by shape changes no bit: k over one KC slice, m over one MC block, ragged tiles.
    /// </summary>
    [Test]
    public unsafe void UnpackedAndPackedPathsAgreeBitwise([Values] bool ta, [Values] bool tb, [Values] bool accumulate) =>
        GemmKernelScope.ForEach(kind =>
        {
            foreach (var (m, n, k) in new[] { (65, 63, 127), (129, 255, 257), (7, 100, 129), (300, 40, 600) })
            {
                var a = Tensor.RandomNormal<float>(21, m * k).ToArray();
                var b = Tensor.RandomNormal<float>(22, k * n).ToArray();
                var unpacked = Tensor.RandomNormal<float>(23, m * n).ToArray();
                var packed = (float[])unpacked.Clone();
                fixed (float* pa = a, pb = b, pu = unpacked, pp = packed)
                {
                    GemmDirect.Run(kind, ta, tb, m, n, k, pa, pb, pu, accumulate, 0, m, 0, n);
                    GemmBlocked.Run(kind, ta, tb, m, n, k, pa, pb, pp, accumulate, 0, m, 0, n);
                }

                Assert.That(unpacked, Is.EqualTo(packed).AsCollection, $"{kind} m={m} n={n} k={k}");
            }
        });

    /// <summary>
    /// Split by rows, the threads share the packing of op(B), so rows win unless they split unevenly or
    /// are too few: a head's weight gradient (12 rows) is split by columns.
    /// </summary>
    [TestCase(false, 256, 512, 256, false)] // dense forward (NT)
    [TestCase(false, 256, 256, 512, false)] // input gradient (NN)
    [TestCase(true, 512, 256, 256, false)] // weight gradient (TN)
    [TestCase(false, 4000, 40, 64, false)] // 2 column tiles would leave one thread a ragged part
    [TestCase(true, 12, 512, 256, true)] // a head's weight gradient: 2 row tiles of 8 and 4
    public void ThreadSplitPrefersRowsThatShareThePackingOfB(bool ta, int m, int n, int k, bool splitN)
    {
        const int mr = 8, nr = 32;
        bool actual = GemmPlan.SplitN(ta, m, n, k, mr, nr, (m + mr - 1) / mr, (n + nr - 1) / nr, threads: 2);
        Assert.That(actual, Is.EqualTo(splitN));
    }

    [Test]
    public void ZeroInnerDimensionGivesZeroOrLeavesC()
    {
        float[] c = [1, 2, 3, 4, 5, 6, 7];
        Gemm.Multiply<float>(N, N, 2, 3, 0, [], [], c, accumulate: true);
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6, 7 }).AsCollection);
        Gemm.Multiply<float>(N, N, 2, 3, 0, [], [], c, accumulate: false);
        Assert.That(c, Is.EqualTo(new float[] { 0, 0, 0, 0, 0, 0, 7 }).AsCollection, "only the m·n elements of C are cleared");
    }

    [Test]
    public void EmptyOutputTouchesNothing([Values(0, 5)] int m, [Values(0, 5)] int n)
    {
        if (m * n != 0)
        {
            return;
        }

        double[] c = [42];
        Gemm.Multiply<double>(T, N, m, n, 4, new double[m * 4], new double[4 * n], c, accumulate: false);
        Assert.That(c[0], Is.EqualTo(42));
    }

    [Test]
    public void TooSmallBufferThrowsWithTheShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(N, N, 3, 4, 5, new float[15], new float[19], new float[12], false));
        Assert.That(ex!.Message, Does.Contain("m=3, n=4, k=5").And.Contain("B 20"));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(N, N, 3, 4, 5, new float[14], new float[20], new float[12], false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(N, N, 3, 4, 5, new float[15], new float[20], new float[11], false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(N, N, -1, 4, 5, new float[15], new float[20], new float[12], false));
    }

    /// <summary>Operands are slices of larger arrays whose surroundings must be neither read into C nor written.</summary>
    [Test]
    public void StaysInsideItsSpans([Values] bool transposeB)
    {
        const int m = 13, n = 37, k = 9, guard = 64;
        var tb = transposeB ? T : N;
        float[] a = Guarded(Tensor.RandomNormal<float>(1, m * k).ToArray(), guard, float.NaN);
        float[] b = Guarded(Tensor.RandomNormal<float>(2, k * n).ToArray(), guard, float.NaN);
        float[] c = Guarded(new float[m * n], guard, 123f);
        Gemm.Multiply<float>(N, tb, m, n, k, a.AsSpan(guard, m * k), b.AsSpan(guard, k * n), c.AsSpan(guard, m * n), accumulate: true);
        Assert.That(c.AsSpan(guard, m * n).ToArray(), Has.All.Not.NaN, "a NaN guard leaked into C");
        Assert.That(c[..guard].Concat(c[(guard + (m * n))..]), Has.All.EqualTo(123f), "C was written outside its span");
    }

    /// <summary>A training loop calls GEMM with the same shapes every step: after the first call nothing is allocated.</summary>
    [Test]
    public void SteadyStateAllocatesNothing(
        [Values(1, 2)] int threads,
        [Values("TN 256x192x128", "NT 256x10x512 (narrow)")] string product)
    {
        var (ta, tb, m, n, k) = product.StartsWith("TN", StringComparison.Ordinal) ? (T, N, 256, 192, 128) : (N, T, 256, 10, 512);
        int previous = MtlThreads.Count;
        try
        {
            MtlThreads.Count = threads;
            var a = new float[m * k];
            var b = new float[k * n];
            var c = new float[m * n];
            Gemm.Multiply<float>(ta, tb, m, n, k, a, b, c, accumulate: false);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Gemm.Multiply<float>(ta, tb, m, n, k, a, b, c, accumulate: false);
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        }
        finally
        {
            MtlThreads.Count = previous;
        }
    }

    /// <summary>The values between <paramref name="guard"/> elements of <paramref name="fill"/> on each side.</summary>
    internal static float[] Guarded(float[] values, int guard, float fill)
    {
        var result = new float[values.Length + (2 * guard)];
        Array.Fill(result, fill);
        values.CopyTo(result, guard);
        return result;
    }

    /// <summary>
    /// Compares with a double-precision MathNet product of the same (exactly representable) inputs.
    /// Bound: every product a_ip·b_pj, and C's old value, passes through at most k + 2 roundings of unit
    /// roundoff u (one per FMA or add in the k chain, plus the add of each KC slice into C), so
    /// |ĉ − c| ≤ γ_{k+2} (Σ_p |a_ip b_pj| + |c⁰_ij|) with γ_j = j·u / (1 − j·u) (Higham, Accuracy and
    /// Stability of Numerical Algorithms, §3.1). The double oracle's own error, γ_{k+1} in double, is added.
    /// </summary>
    internal static void CheckAgainstOracle<TValue>(MatrixTranspose ta, MatrixTranspose tb, int m, int n, int k, bool accumulate, int seed)
        where TValue : unmanaged, IFloatingPointIeee754<TValue>
    {
        var random = new SeededRandom(seed);
        var a = Tensor.RandomNormal<TValue>(random, new Shape(m * k)).ToArray();
        var b = Tensor.RandomNormal<TValue>(random, new Shape(k * n)).ToArray();
        var c = Tensor.RandomNormal<TValue>(random, new Shape(m * n)).ToArray();
        var c0 = (TValue[])c.Clone();

        Gemm.Multiply<TValue>(ta, tb, m, n, k, a, b, c, accumulate);

        var opA = ta == T ? Stored(a, k, m).Transpose() : Stored(a, m, k);
        var opB = tb == T ? Stored(b, n, k).Transpose() : Stored(b, k, n);
        var oldC = Stored(c0, m, n);
        var expected = opA * opB;
        var magnitude = opA.PointwiseAbs() * opB.PointwiseAbs();
        if (accumulate)
        {
            expected += oldC;
            magnitude += oldC.PointwiseAbs();
        }

        double u = typeof(TValue) == typeof(float) ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);
        double gamma = Gamma(k + 2, u) + Gamma(k + 1, Math.ScaleB(1, -53));
        int failures = 0;
        string first = string.Empty;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double actual = double.CreateTruncating(c[(i * n) + j]);
                double bound = gamma * magnitude[i, j];
                if (!(Math.Abs(actual - expected[i, j]) <= bound))
                {
                    if (failures++ == 0)
                    {
                        first = $"C[{i},{j}] = {actual} vs {expected[i, j]} (bound {bound})";
                    }
                }
            }
        }

        Assert.That(failures, Is.Zero, $"{ta}/{tb} m={m} n={n} k={k} accumulate={accumulate}: {failures} elements out of bound, first {first}");
    }

    private static double Gamma(int j, double u) => j * u / (1 - (j * u));

    private static Matrix<double> Stored<TValue>(TValue[] values, int rows, int cols)
        where TValue : unmanaged, IFloatingPointIeee754<TValue> =>
        DenseMatrix.Create(rows, cols, (i, j) => double.CreateTruncating(values[(i * cols) + j]));
}

public class GemmMatrixVectorTests
{
    /// <summary>n = 1 takes a dot-product path; it must agree with a double reference for both
    /// layouts of B, with and without accumulation, and not depend on the thread count.</summary>
    [TestCase(1, 1)]
    [TestCase(7, 3)]
    [TestCase(256, 512)]
    [TestCase(129, 1000)]
    [TestCase(1001, 300)] // split between threads
    public void OneOutputColumnMatchesTheReference(int m, int k) =>
        ForEachKernel(() => CheckOneOutputColumn(m, k));

    /// <summary>Runs <paramref name="check"/> under every kernel kind this machine has (the kinds without a dot kernel take the matrix-vector path).</summary>
    private static void ForEachKernel(Action check) => GemmKernelScope.ForEach(_ => check());

    private static void CheckOneOutputColumn(int m, int k)
    {
        var random = new SeededRandom(m * 31 + k);
        var a = Tensor.RandomNormal<float>(random, new Shape(m, k));
        var b = Tensor.RandomNormal<float>(random, new Shape(k));
        var c0 = Tensor.RandomNormal<float>(random, new Shape(m));
        foreach (var tb in new[] { MatrixTranspose.None, MatrixTranspose.Transpose })
        {
            foreach (bool accumulate in new[] { false, true })
            {
                var results = new List<float[]>();
                foreach (int threads in new[] { 1, 2 })
                {
                    int saved = MtlThreads.Count;
                    try
                    {
                        MtlThreads.Count = threads;
                        var c = c0.Clone();
                        Gemm.Multiply(MatrixTranspose.None, tb, m, 1, k, a.ReadOnlySpan, b.ReadOnlySpan, c.Span, accumulate);
                        results.Add(c.ToArray());
                    }
                    finally
                    {
                        MtlThreads.Count = saved;
                    }
                }

                Assert.That(results[1], Is.EqualTo(results[0]));
                for (int i = 0; i < m; i++)
                {
                    double exact = accumulate ? c0[i] : 0, magnitude = Math.Abs(exact);
                    for (int p = 0; p < k; p++)
                    {
                        exact += (double)a[i, p] * b[p];
                        magnitude += Math.Abs((double)a[i, p] * b[p]);
                    }

                    // |error| ≤ γ_(k+1)·Σ|terms| with γ_n = n·u/(1 − n·u), u = 2⁻²⁴.
                    double u = Math.Pow(2, -24), gamma = (k + 1) * u / (1 - ((k + 1) * u));
                    Assert.That(results[0][i], Is.EqualTo(exact).Within((gamma * magnitude) + 1e-30), $"{tb} accumulate={accumulate} row {i}");
                }
            }
        }
    }
}
