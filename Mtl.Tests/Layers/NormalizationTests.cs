using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>LayerNorm and BatchNorm1d against PyTorch, and BatchNorm1d's train/eval behaviour.</summary>
public class NormalizationTests
{
    // Produced by Mtl.Tests/Layers/Golden/norm_goldens.py (PyTorch 1.13, float64): /usr/bin/python3 norm_goldens.py
    private static readonly double[] LayerNormOutput = [0.1, 0.954826603772164, 0.7351907708875394, 0.2587976927218848, 0.19878745312416646, -0.008551289928795669, 0.5956729083257752, -1.9230624208171052, 1.6322459038089974, -0.2547761814958211, -1.363476609036382, -0.722044645082596];
    private static readonly double[] LayerNormInputGrad = [-0.17468844258727229, 0.1008591541358973, 0.12644120796782904, -0.05261191951645405, -1.4362084450306576, 0.16222693648696818, 0.7598900439885978, 0.5140914645550915, -0.05119158215304698, -0.48814729826590664, -1.128047655914446, 1.6673865363334];
    private static readonly double[] LayerNormWeightGrad = [0.27190825151448844, 1.0796307024476741, 2.5428434757771097, -2.318757111482329];
    private static readonly double[] LayerNormBiasGrad = [-0.7500000000000001, -0.35, 0.3500000000000001, 2.9000000000000004];
    private static readonly double[] BatchNormTrainOutput = [-0.03580236679362825, 0.8161846434359048, 0.6259005688403556, 1.1600831765022352, -1.6654307683171672, 0.19229769195705118, -0.19990264120644796, -1.6527212377566092, 2.0012331351107955, -0.408482335392956, -1.3259979276339073, 0.49263806125437387];
    private static readonly double[] BatchNormInputGrad = [1.0368822473906047, 0.16181518998660485, 0.0705245670963243, -0.4800913071744302, -0.5760757470626637, -0.32985217595284133, -0.12223175550554591, -0.1493610800492181, -0.4608065003279408, 0.16803698596623642, 0.051707188409221505, 0.629452387223648];
    private static readonly double[] BatchNormWeightGrad = [1.955554081828247, 0.5676601027653272, 2.3053672947139936, -0.19599578781087976];
    private static readonly double[] BatchNormBiasGrad = [-0.7500000000000001, -0.35, 0.3500000000000001, 2.9000000000000004];
    private static readonly double[] BatchNormRunningMean1 = [0.05666666666666667, 0.008333333333333333, 0.07666666666666666, -0.046666666666666676];
    private static readonly double[] BatchNormRunningVar1 = [0.9813333333333334, 1.0755833333333333, 1.0703333333333334, 1.1375833333333334];
    private static readonly double[] BatchNormRunningMean2 = [0.06433333333333334, -0.07583333333333334, 0.12233333333333332, -0.23533333333333337];
    private static readonly double[] BatchNormRunningVar2 = [1.2085333333333335, 1.6703583333333334, 1.6446333333333336, 1.9741583333333335];
    private const double BatchNormBatchesTracked = 2;
    private static readonly double[] BatchNormEvalOutput = [0.6944488324650081, 0.6542486312436144, 0.8713120712496693, 0.8415352850475407, -0.3971175010591077, 0.13197554209197826, 0.1851182428946349, -1.677946200970976, 2.058906749370153, -0.370954099313301, -0.7506006139531392, 0.24369222056857068];

    // The script's inputs.
    private static readonly double[] X = [0.5, -1.25, 2.0, 0.75, -0.3, 0.1, 0.9, -2.2, 1.5, 1.4, -0.6, 0.05];
    private static readonly double[] R = [0.2, -0.7, 1.1, 0.4, -1.3, 0.6, 0.05, 0.9, 0.35, -0.25, -0.8, 1.6];
    private static readonly double[] Gamma = [1.5, -0.5, 0.8, 1.2];
    private static readonly double[] Beta = [0.1, 0.2, -0.3, 0.0];

    private const double Tolerance = 1e-12;

    private static Var<double> ScriptInput() => Var<double>.Parameter(Tensor.FromArray<double>(X, 3, 4));

    private static void SetAffine(Var<double> weight, Var<double> bias)
    {
        Gamma.CopyTo(weight.Data.Span);
        Beta.CopyTo(bias.Data.Span);
    }

    [Test]
    public void LayerNormMatchesPyTorch()
    {
        var ln = new LayerNorm<double>(4);
        SetAffine(ln.Weight, ln.Bias);
        var x = ScriptInput();
        var y = ln.Forward(x);
        (y * Var<double>.Constant(Tensor.FromArray<double>(R, 3, 4))).Sum().Backward();

        LayerTestKit.AssertClose(y.Data.ReadOnlySpan, LayerNormOutput, Tolerance, "y");
        LayerTestKit.AssertClose(x.Grad!.ReadOnlySpan, LayerNormInputGrad, Tolerance, "dx");
        LayerTestKit.AssertClose(ln.Weight.Grad!.ReadOnlySpan, LayerNormWeightGrad, Tolerance, "dweight");
        LayerTestKit.AssertClose(ln.Bias.Grad!.ReadOnlySpan, LayerNormBiasGrad, Tolerance, "dbias");
    }

    [Test]
    public void LayerNormNormalisesEachRowOfAHigherRankInput()
    {
        var ln = new LayerNorm<double>(5);
        var y = ln.Forward(LayerTestKit.Input(3, 2, 3, 5)).Data;
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 3, 5)));
        for (int row = 0; row < 6; row++)
        {
            var r = y.ReadOnlySpan.Slice(row * 5, 5).ToArray();
            double mean = r.Average();
            Assert.That(mean, Is.EqualTo(0).Within(1e-12));
            Assert.That(r.Select(v => (v - mean) * (v - mean)).Average(), Is.EqualTo(1).Within(1e-4));
        }
    }

    [Test]
    public void BatchNormMatchesPyTorchInTrainingAndEvaluation()
    {
        var bn = new BatchNorm1d<double>(4);
        SetAffine(bn.Weight, bn.Bias);
        var x = ScriptInput();
        var y = bn.Forward(x);
        (y * Var<double>.Constant(Tensor.FromArray<double>(R, 3, 4))).Sum().Backward();

        LayerTestKit.AssertClose(y.Data.ReadOnlySpan, BatchNormTrainOutput, Tolerance, "training y");
        LayerTestKit.AssertClose(x.Grad!.ReadOnlySpan, BatchNormInputGrad, Tolerance, "dx");
        LayerTestKit.AssertClose(bn.Weight.Grad!.ReadOnlySpan, BatchNormWeightGrad, Tolerance, "dweight");
        LayerTestKit.AssertClose(bn.Bias.Grad!.ReadOnlySpan, BatchNormBiasGrad, Tolerance, "dbias");
        LayerTestKit.AssertClose(bn.RunningMean.ReadOnlySpan, BatchNormRunningMean1, Tolerance, "running_mean after 1 batch");
        LayerTestKit.AssertClose(bn.RunningVar.ReadOnlySpan, BatchNormRunningVar1, Tolerance, "running_var after 1 batch");

        var second = X.Select(v => (v * 2) - 1).ToArray();
        bn.Forward(Var<double>.Constant(Tensor.FromArray<double>(second, 3, 4)));
        LayerTestKit.AssertClose(bn.RunningMean.ReadOnlySpan, BatchNormRunningMean2, Tolerance, "running_mean after 2 batches");
        LayerTestKit.AssertClose(bn.RunningVar.ReadOnlySpan, BatchNormRunningVar2, Tolerance, "running_var after 2 batches");
        Assert.That(bn.NumBatchesTracked.Item(), Is.EqualTo(BatchNormBatchesTracked));

        bn.Eval();
        var eval = bn.Forward(Var<double>.Constant(Tensor.FromArray<double>(X, 3, 4)));
        LayerTestKit.AssertClose(eval.Data.ReadOnlySpan, BatchNormEvalOutput, Tolerance, "eval y");
    }

    [Test]
    public void BatchNormRunningStatisticsFollowPyTorchsFormulas()
    {
        // running ← 0.9·running + 0.1·batch statistic, the variance unbiased (÷ N − 1); normalisation uses the biased one.
        var bn = new BatchNorm1d<double>(3);
        var x = LayerTestKit.Input(5, 6, 3);
        var y = bn.Forward(x).Data;
        for (int c = 0; c < 3; c++)
        {
            var col = Enumerable.Range(0, 6).Select(r => x.Data[r, c]).ToArray();
            double mean = col.Average();
            double ss = col.Sum(v => (v - mean) * (v - mean));
            Assert.That(bn.RunningMean[c], Is.EqualTo(0.1 * mean).Within(1e-15));
            Assert.That(bn.RunningVar[c], Is.EqualTo(0.9 + (0.1 * ss / 5)).Within(1e-15));
            for (int r = 0; r < 6; r++)
            {
                Assert.That(y[r, c], Is.EqualTo((col[r] - mean) / Math.Sqrt((ss / 6) + 1e-5)).Within(1e-12));
            }
        }
    }

    [Test]
    public void BatchNormEvaluationUsesRunningStatisticsAndLeavesThemAlone()
    {
        var bn = new BatchNorm1d<double>(2, momentum: 0.5);
        bn.Forward(LayerTestKit.Input(6, 4, 2));
        var mean = bn.RunningMean.ToArray();
        var variance = bn.RunningVar.ToArray();

        bn.Eval();
        var x = LayerTestKit.Input(7, 1, 2);
        var y = bn.Forward(x).Data;
        for (int c = 0; c < 2; c++)
        {
            Assert.That(y[0, c], Is.EqualTo((x.Data[0, c] - mean[c]) / Math.Sqrt(variance[c] + 1e-5)).Within(1e-12));
        }

        Assert.That(bn.RunningMean.ToArray(), Is.EqualTo(mean));
        Assert.That(bn.RunningVar.ToArray(), Is.EqualTo(variance));
        Assert.That(bn.NumBatchesTracked.Item(), Is.EqualTo(1));
    }

    [Test]
    public void BatchNormRegistersPyTorchsParametersAndBuffers()
    {
        var model = new Sequential<double>(new Linear<double>(3, 4, new SeededRandom(1)), new BatchNorm1d<double>(4));
        Assert.That(model.NamedParameters().Select(p => p.Key), Is.EqualTo(new[] { "0.weight", "0.bias", "1.weight", "1.bias" }));
        Assert.That(model.NamedBuffers().Select(b => b.Key), Is.EqualTo(new[] { "1.running_mean", "1.running_var", "1.num_batches_tracked" }));
    }

    [Test]
    public void BatchNormRefusesASingleSampleInTraining()
    {
        var bn = new BatchNorm1d<double>(3);
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(LayerTestKit.Input(1, 1, 3)));
        Assert.That(ex!.Message, Does.Contain("BatchNorm1d").And.Contain("[1, 3]"));
    }
}
