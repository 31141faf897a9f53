using System.Numerics;
using Mtl.Tensors;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors;

/// <summary>Softmax, log-softmax and logsumexp along the last axis against a double reference.</summary>
public class SoftmaxTests
{
    /// <summary>Row lengths around the SIMD widths, and one long odd row (6·512 + 7).</summary>
    private static readonly int[] RowLengths = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 257, (6 * 512) + 7];

    [Test]
    public void FloatMatchesDoubleReference() => MatchesReference<float>(31);

    [Test]
    public void DoubleMatchesDoubleReference() => MatchesReference<double>(32);

    [Test]
    public void LargeInputsDoNotOverflow()
    {
        var x = Tensor.FromArray<float>([1000f, 1000f, -1000f, /**/ -1000f, -1000f, -1000f], 2, 3);
        var p = Tensor.Softmax(x);
        Assert.That(p.ToArray(), Is.EqualTo(new[] { 0.5f, 0.5f, 0f, 1f / 3, 1f / 3, 1f / 3 }).Within(1).Ulps);
        var lse = Tensor.LogSumExp(x);
        Assert.That(lse[0], Is.EqualTo(1000 + (float)Math.Log(2)).Within(1).Ulps);
        Assert.That(lse[1], Is.EqualTo(-1000 + (float)Math.Log(3)).Within(1).Ulps);
        var lp = Tensor.LogSoftmax(x);
        Assert.That(lp.ToArray(), Is.EqualTo(new[] { -(float)Math.Log(2), -(float)Math.Log(2), -2000 - (float)Math.Log(2), -(float)Math.Log(3), -(float)Math.Log(3), -(float)Math.Log(3) }).Within(1).Ulps);
    }

    [Test]
    public void RowOfMinusInfinityHasLogSumExpMinusInfinity()
    {
        var x = Tensor.FromArray<double>([double.NegativeInfinity, double.NegativeInfinity, 0, double.NegativeInfinity], 2, 2);
        var lse = Tensor.LogSumExp(x);
        Assert.That(lse[0], Is.EqualTo(double.NegativeInfinity));
        Assert.That(lse[1], Is.EqualTo(0.0));

        // A masked-out entry gets probability exactly 0 and log-probability -∞.
        Assert.That(Tensor.Softmax(x)[1, 1], Is.EqualTo(0.0));
        Assert.That(Tensor.Softmax(x)[1, 0], Is.EqualTo(1.0));
        Assert.That(Tensor.LogSoftmax(x)[1, 1], Is.EqualTo(double.NegativeInfinity));
        Assert.That(Tensor.LogSoftmax(x)[1, 0], Is.EqualTo(0.0));
    }

    [Test]
    public void LogSumExpKeepDimAndEmptyRows()
    {
        var x = Tensor.RandomNormal<float>(3, 2, 3, 5);
        Assert.That(Tensor.LogSumExp(x).Shape, Is.EqualTo(new Shape(2, 3)));
        Assert.That(Tensor.LogSumExp(x, keepDim: true).Shape, Is.EqualTo(new Shape(2, 3, 1)));
        var empty = Tensor.LogSumExp(new Tensor<float>(2, 0));
        Assert.That(empty.ToArray(), Is.EqualTo(new[] { float.NegativeInfinity, float.NegativeInfinity }));
        Assert.That(Tensor.Softmax(new Tensor<float>(2, 0)).Shape, Is.EqualTo(new Shape(2, 0)));
    }

    [Test]
    public void DestinationFormsAndErrors()
    {
        var x = Tensor.RandomNormal<float>(4, 3, 17);
        x.AddInPlace(100f); // an offset that logsumexp-first would round away
        var d = new Tensor<float>(3, 17);
        Tensor.Softmax(x, d);
        AssertSameBits(d, Tensor.Softmax(x), "Softmax into");
        var inPlace = x.Clone();
        Tensor.Softmax(inPlace, inPlace);
        AssertSameBits(inPlace, Tensor.Softmax(x), "Softmax in place");
        Tensor.LogSoftmax(x, d);
        AssertSameBits(d, Tensor.LogSoftmax(x), "LogSoftmax into");
        inPlace = x.Clone();
        Tensor.LogSoftmax(inPlace, inPlace);
        AssertSameBits(inPlace, Tensor.LogSoftmax(x), "LogSoftmax in place");

        var ex = Assert.Throws<ArgumentException>(() => Tensor.Softmax(x, new Tensor<float>(17, 3)));
        Assert.That(ex!.Message, Does.StartWith("Softmax:").And.Contain("[17, 3]").And.Contain("[3, 17]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.LogSoftmax(x, new Tensor<float>(3, 16)));
        Assert.That(ex!.Message, Does.StartWith("LogSoftmax:").And.Contain("[3, 16]").And.Contain("[3, 17]"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.Softmax(Tensor.Scalar(1f)));
        Assert.That(ex!.Message, Does.StartWith("Softmax:"));
        ex = Assert.Throws<ArgumentException>(() => Tensor.LogSumExp(Tensor.Scalar(1f)));
        Assert.That(ex!.Message, Does.StartWith("LogSumExp:"));
    }

    private static void MatchesReference<T>(ulong seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(seed);
        double eps = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        foreach (int n in RowLengths)
        {
            int rows = n > 1000 ? 1 : 3;
            var x = Tensor.RandomNormal<T>(random, new Shape(rows, n), mean: 0, std: 4);
            var p = Tensor.Softmax(x);
            var lp = Tensor.LogSoftmax(x);
            var lse = Tensor.LogSumExp(x);

            // Error bound: exp and the final scaling a few rounding units each, the sum of n positive terms
            // at most n units of the sum (any order), so relative (n + 8)·u per probability.
            double bound = (n + 8) * eps;
            for (int r = 0; r < rows; r++)
            {
                var row = Enumerable.Range(0, n).Select(j => double.CreateTruncating(x[r, j])).ToArray();
                double m = row.Max();
                double z = row.Sum(v => Math.Exp(v - m));
                double refLse = m + Math.Log(z);
                Assert.That(double.CreateTruncating(lse[r]), Is.EqualTo(refLse).Within(bound * (Math.Abs(m) + 1)), $"LogSumExp n = {n}");
                double total = 0;
                for (int j = 0; j < n; j++)
                {
                    double reference = Math.Exp(row[j] - m) / z;
                    double got = double.CreateTruncating(p[r, j]);
                    total += got;
                    // x − m is rounded once, and e^(x−m) turns its absolute error into |x − m|·u relative.
                    Assert.That(got, Is.EqualTo(reference).Within((bound + (Math.Abs(row[j] - m) * eps)) * reference), $"Softmax n = {n}, j = {j}");
                    // log-softmax = (x − m) − ln z: errors scale with those two terms, not with |x| or |m|.
                    Assert.That(double.CreateTruncating(lp[r, j]), Is.EqualTo(row[j] - refLse).Within(bound * (Math.Abs(row[j] - m) + Math.Log(z) + 1)), $"LogSoftmax n = {n}, j = {j}");
                }

                Assert.That(total, Is.EqualTo(1).Within(2 * bound), $"row sum n = {n}");
            }
        }
    }
}
