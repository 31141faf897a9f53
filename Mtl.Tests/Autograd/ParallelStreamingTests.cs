using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Autograd;

/// <summary>
/// Activations, bias adds and bias gradients of large tensors are split across threads; the split must
/// cover every element once and change no bit of any value or gradient.
/// </summary>
public class ParallelStreamingTests
{
    private static T WithThreads<T>(int threads, Func<T> f)
    {
        int saved = MtlThreads.Count;
        try
        {
            MtlThreads.Count = threads;
            return f();
        }
        finally
        {
            MtlThreads.Count = saved;
        }
    }

    private struct Mark(int[] hits) : IRangeWork
    {
        public readonly void Run(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                Interlocked.Increment(ref hits[i]);
            }
        }
    }

    [TestCase(0, 64, 1 << 20)]
    [TestCase(5, 64, 1 << 20)]
    [TestCase(1000, 1, 1 << 20)]
    [TestCase(65_537, 64, 65_537)]
    [TestCase(200_003, 16, 200_003)]
    [TestCase(65_536, 64, 100)]
    public void ForCoversEveryIndexExactlyOnce(int length, int align, long cost)
    {
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            var hits = new int[length];
            WithThreads(threads, () =>
            {
                MtlParallel.For(length, new Mark(hits), cost, align);
                return 0;
            });
            Assert.That(hits, Is.All.EqualTo(1), $"{threads} threads");
        }
    }

    [Test]
    public void ALargeNetworkGivesBitwiseTheSameValuesAndGradientsOnOneAndTwoThreads()
    {
        // 300 × 257 = 77,100 elements per activation: above the split threshold, not a multiple of 64.
        (float[] Loss, float[][] Grads) Run()
        {
            var random = new SeededRandom(5);
            var x = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(300, 129)));
            Var<float> P(params int[] dims) => Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(dims)) * 0.1f);
            var w1 = P(257, 129);
            var b1 = P(257);
            var w2 = P(3, 257);
            var b2 = P(3);
            var w3 = P(2, 257);
            var h = Ops.Linear(x, w1, b1);
            var a = h.Relu() + h.Sigmoid() + h.Tanh() + h.Gelu() + h.LeakyRelu() + h.Softplus() + h.Square() + h.Clamp(-0.3, 0.4);
            var heads = Ops.LinearHeads(a, [w2, w3], [b2, null]);
            var loss = heads[0].Square().Mean() + heads[1].Abs().Mean();
            loss.Backward();
            return ([loss.Item()], [w1.Grad!.ToArray(), b1.Grad!.ToArray(), w2.Grad!.ToArray(), b2.Grad!.ToArray(), w3.Grad!.ToArray()]);
        }

        var one = WithThreads(1, Run);
        var two = WithThreads(2, Run);
        Assert.That(two.Loss, Is.EqualTo(one.Loss));
        for (int i = 0; i < one.Grads.Length; i++)
        {
            Assert.That(two.Grads[i], Is.EqualTo(one.Grads[i]), $"gradient {i}");
            Assert.That(one.Grads[i].Any(g => g != 0), Is.True);
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void EveryElementwiseRuleGivesBitwiseTheSameValuesAndGradientsOnOneAndTwoThreads(bool inDouble)
    {
        // 300 × 257 elements, split across threads, each thread's range run by the vector loops; the rules
        // not in the network above. The input is used by several rules: the first writes its gradient, the rest add.
        (double[] Values, double[] Grad) Run<T>()
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var x = Var<T>.Parameter(Tensor.RandomNormal<T>(new SeededRandom(8), new Shape(300, 257)));
            var p = x.Square() + T.CreateTruncating(0.5);
            var y = x.Exp() + p.Log() + p.Sqrt() + p.Reciprocal() + p.Pow(1.5) + x.Abs() + x.Gelu(tanhApproximation: true) + x.Softplus(beta: 2, threshold: 3);
            y.Sum().Backward();
            return (y.Data.ToArray().Select(double.CreateTruncating).ToArray(), x.Grad!.ToArray().Select(double.CreateTruncating).ToArray());
        }

        var one = WithThreads(1, () => inDouble ? Run<double>() : Run<float>());
        var two = WithThreads(2, () => inDouble ? Run<double>() : Run<float>());
        Assert.That(two.Values, Is.EqualTo(one.Values));
        Assert.That(two.Grad, Is.EqualTo(one.Grad));
        Assert.That(one.Grad.All(double.IsFinite) && one.Grad.Any(g => g != 0), Is.True);
    }
}
