using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>The fast paths of the CNN step: the branch-free 2×2 float max pool against the general window loop
/// (run in double), and convolution and pooling split across threads against one thread.</summary>
public class PoolingAndConvolutionPathTests
{
    /// <summary>Windows full of ties, ±0, infinities and NaNs: the float 2×2 path picks the same element as the
    /// general rule (first maximum in row-major order, first NaN wins), forward and backward, whether the backward
    /// writes a fresh gradient (the vector unpooling, zeros where no window reaches on an odd height or width) or
    /// adds to one (a second pass).</summary>
    [TestCase(6, 42)] // 21 windows a row: two vectors of 8 and an overlapping third
    [TestCase(7, 43)] // an odd height and width: the last row and column belong to no window
    [TestCase(5, 9)] // fewer than 8 windows a row: scalar only
    public void TheFloatPairPathChoosesTheSameElementAsTheGeneralRule(int h, int w)
    {
        float[] palette = [-1f, -0f, 0f, 1f, 1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 2.5f, -2.5f];
        var random = new SeededRandom(5);
        int n = 3, c = 2;
        var xf = new Tensor<float>(n, c, h, w);
        var xd = new Tensor<double>(n, c, h, w);
        for (int i = 0; i < xf.Length; i++)
        {
            xf[i] = palette[random.NextInt(palette.Length)];
            xd[i] = xf[i];
        }

        var vf = Var<float>.Parameter(xf);
        var yf = Ops.MaxPool2d(vf, (2, 2));
        var seed = Tensor.RandomNormal<float>(7, yf.Shape[0], yf.Shape[1], yf.Shape[2], yf.Shape[3]);
        var yfs = yf.Data.ToArray();
        (yf * seed).Sum().Backward();

        // The same windows through the general loop (the double path), each op on its own tape generation.
        var vd = Var<double>.Parameter(xd);
        var yd = Ops.MaxPool2d(vd, (2, 2));
        var yds = yd.Data.ToArray();
        var seedD = new Tensor<double>(seed.Shape);
        for (int i = 0; i < seed.Length; i++)
        {
            seedD[i] = seed[i];
        }

        (yd * seedD).Sum().Backward();
        for (int i = 0; i < yfs.Length; i++)
        {
            bool bothNaN = float.IsNaN(yfs[i]) && double.IsNaN(yds[i]);
            Assert.That(bothNaN || BitConverter.SingleToInt32Bits(yfs[i]) == BitConverter.SingleToInt32Bits((float)yds[i]), Is.True, $"output {i}: {yfs[i]} against {yds[i]}");
        }

        for (int i = 0; i < xf.Length; i++)
        {
            Assert.That((double)vf.Grad![i], Is.EqualTo(vd.Grad![i]), $"dx[{i}]: the gradient goes to the same element");
        }

        // A second pass adds onto the gradient held (the scatter path).
        (Ops.MaxPool2d(vf, (2, 2)) * seed).Sum().Backward();
        (Ops.MaxPool2d(vd, (2, 2)) * seedD).Sum().Backward();
        for (int i = 0; i < xf.Length; i++)
        {
            Assert.That((double)vf.Grad![i], Is.EqualTo(vd.Grad![i]), $"dx[{i}] after two passes");
        }
    }

    [Test]
    public void ConvolutionAndPoolingAreBitwiseTheSameOnOneAndTwoThreads()
    {
        float[] Run(int threads)
        {
            int saved = MtlThreads.Count;
            MtlThreads.Count = threads;
            try
            {
                var random = new SeededRandom(3);
                var x = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(16, 3, 12, 14)));
                var w = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(8, 3, 3, 3)));
                var b = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(8)));
                var y = Ops.MaxPool2d(Ops.Conv2d(x, w, b, padding: (1, 1)).Relu(), (2, 2));
                (y * y).Sum().Backward();
                return [.. y.Data.ToArray(), .. x.Grad!.ToArray(), .. w.Grad!.ToArray(), .. b.Grad!.ToArray()];
            }
            finally
            {
                MtlThreads.Count = saved;
            }
        }

        Assert.That(Run(2), Is.EqualTo(Run(1)));
    }

    /// <summary>Under NoGrad the column matrix and the argmax are scratch (leased and returned at once): the values
    /// are those of the recording pass, and a second evaluation cannot disturb the first one's result.</summary>
    [Test]
    public void EvaluationWithoutTheTapeGivesTheRecordedValues()
    {
        var random = new SeededRandom(9);
        var x = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(4, 2, 10, 12)));
        var w = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(5, 2, 3, 3)));
        var recorded = Ops.MaxPool2d(Ops.Conv2d(x, w, padding: (1, 1)), (2, 2)).Data.ToArray();
        Tape.Current.Release();

        Tensor<float> first, second;
        using (Tape.NoGrad())
        {
            first = Ops.MaxPool2d(Ops.Conv2d(x, w, padding: (1, 1)), (2, 2)).Data;
            second = Ops.MaxPool2d(Ops.Conv2d(x, w, padding: (1, 1)), (2, 2)).Data;
        }

        Assert.That(first.ToArray(), Is.EqualTo(recorded));
        Assert.That(second.ToArray(), Is.EqualTo(recorded));
    }

    /// <summary>The fashion CNN's second convolution at full size: its per-sample parts call GEMMs that would split
    /// across threads themselves (a nested fork-join, which once corrupted the pool's shared state and crashed);
    /// the result is the one-thread result, bit for bit.</summary>
    [Test]
    public void NestedForkJoinsAtTheCnnShapesRunAndMatchOneThread()
    {
        float[] Run(int threads)
        {
            int saved = MtlThreads.Count;
            MtlThreads.Count = threads;
            try
            {
                var random = new SeededRandom(4);
                var x = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(64, 8, 14, 28)));
                var w = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(16, 8, 3, 3)));
                var y = Ops.Conv2d(x, w, padding: (1, 1));
                (y * y).Sum().Backward();
                return [.. w.Grad!.ToArray(), .. x.Grad!.ToArray().Take(4096)];
            }
            finally
            {
                MtlThreads.Count = saved;
            }
        }

        var one = Run(1);
        for (int i = 0; i < 3; i++)
        {
            Assert.That(Run(2), Is.EqualTo(one));
        }
    }
}
