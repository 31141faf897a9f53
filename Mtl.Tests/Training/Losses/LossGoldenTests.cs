using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Losses;

/// <summary>
/// Loss values and gradients against PyTorch (float64). The numbers were printed by
/// Mtl.Tests/Training/Losses/Golden/loss_goldens.py (run with /usr/bin/python3) and pasted here.
/// </summary>
public class LossGoldenTests
{
    private const double Tolerance = 1e-12;

    private static readonly double[] Pred = [0.3, -1.7, 2.5, 0.05, -0.4];
    private static readonly double[] Target = [0.1, 0.2, -0.6, 0.05, 1.9];

    private static readonly double[,] Logits = { { 0.0, 3.2, -1.5 }, { 45.0, -45.0, 0.7 }, { -0.3, 0.8, 12.0 }, { -800.0, 2.0, 0.0 } };
    private static readonly double[,] Attributes = { { 1, 0, 1 }, { 0, 1, 0.5 }, { 1, 1, 0 }, { 0, 1, 1 } };

    private static readonly double[,] CeLogits = { { 1.0, 2.0, 0.5, -1.0 }, { 0.1, -0.2, 3.0, 0.0 }, { -2.0, 5.0, 1.0, 30.0 } };
    private static readonly int[] CeLabels = [1, 3, 3];

    private static (double Value, double[] Grad) Regression(ITaskLoss<double> loss)
    {
        var p = Var<double>.Parameter(Tensor.FromArray<double>(Pred, 5, 1));
        var l = loss.Compute(p, Tensor.FromArray<double>(Target));
        l.Backward();
        return (l.Item(), p.Grad!.ToArray());
    }

    private static void AssertClose(double value, double[] grad, double expectedValue, double[] expectedGrad)
    {
        Assert.That(value, Is.EqualTo(expectedValue).Within(Tolerance));
        Assert.That(grad, Is.EqualTo(expectedGrad).Within(Tolerance));
    }

    [Test]
    public void Mse()
    {
        var (v, g) = Regression(new MseLoss<double>());
        AssertClose(v, g, 3.71, [0.08, -0.76, 1.2400000000000002, 0.0, -0.9199999999999999]);
    }

    [Test]
    public void L1()
    {
        var (v, g) = Regression(new L1Loss<double>());
        AssertClose(v, g, 1.5, [0.2, -0.2, 0.2, 0.0, -0.2]);
    }

    [Test]
    public void HuberDeltaOne()
    {
        var (v, g) = Regression(new HuberLoss<double>(1.0));
        AssertClose(v, g, 1.1640000000000001, [0.04, -0.2, 0.2, 0.0, -0.2]);
    }

    [Test]
    public void HuberDeltaHalf()
    {
        var (v, g) = Regression(new HuberLoss<double>(0.5));
        AssertClose(v, g, 0.659, [0.04, -0.1, 0.1, 0.0, -0.1]);
    }

    [Test]
    public void HuberSum()
    {
        var (v, g) = Regression(new HuberLoss<double>(1.0, LossReduction.Sum));
        AssertClose(v, g, 5.82, [0.19999999999999998, -1.0, 1.0, 0.0, -1.0]);
    }

    [Test]
    public void BceWithLogits()
    {
        var x = Var<double>.Parameter(Tensor.FromArray(Logits));
        var l = new BceWithLogitsLoss<double>().Compute(x, Tensor.FromArray(Attributes));
        l.Backward();
        AssertClose(l.Item(), x.Grad!.ToArray(), 9.202769757233607,
            [-0.041666666666666664, 0.08006952310026964, -0.0681312063494703, 0.08333333333333333, -0.08333333333333333, 0.014015647680680513,
             -0.04787020973430491, -0.025835459906032292, 0.08333282131878315, 0.0, -0.009933576835176474, -0.041666666666666664]);
    }

    [Test]
    public void BceWithLogitsPosWeight()
    {
        var x = Var<double>.Parameter(Tensor.FromArray(Logits));
        var l = new BceWithLogitsLoss<double>(Tensor.FromArray<double>([2.0, 0.5, 3.0])).Compute(x, Tensor.FromArray(Attributes));
        l.Backward();
        AssertClose(l.Item(), x.Grad!.ToArray(), 7.868669344942269,
            [-0.08333333333333333, 0.08006952310026964, -0.2043936190484109, 0.08333333333333333, -0.041666666666666664, -0.01363537130530564,
             -0.09574041946860982, -0.012917729953016146, 0.08333282131878315, 0.0, -0.004966788417588237, -0.125]);
    }

    [Test]
    public void CrossEntropy()
    {
        var x = Var<double>.Parameter(Tensor.FromArray(CeLogits));
        var l = new CrossEntropyLoss<double>().Compute(x, CeLabels);
        l.Backward();
        AssertClose(l.Item(), x.Grad!.ToArray(), 1.21036213450531,
            [0.07473593934940037, -0.13017998746704096, 0.045329638597835176, 0.010114409519805408, 0.01601039958079698, 0.011860795729849341,
             0.2909753294042746, -0.318846524714921, 4.2213885163049755e-15, 4.62931462158915e-12, 8.478885491136399e-14, -4.718299824920298e-12]);
    }

    [Test]
    public void CrossEntropySumWithLabelsAsNumbers()
    {
        var x = Var<double>.Parameter(Tensor.FromArray(CeLogits));
        var l = new CrossEntropyLoss<double>(LossReduction.Sum).Compute(x, Tensor.FromArray<double>([1, 3, 3]));
        l.Backward();
        AssertClose(l.Item(), x.Grad!.ToArray(), 3.63108640351593,
            [0.22420781804820114, -0.3905399624011229, 0.13598891579350553, 0.030343228559416225, 0.04803119874239095, 0.03558238718954802,
             0.872925988212824, -0.956539574144763, 1.2664165548914927e-14, 1.388794386476745e-11, 2.54366564734092e-13, -1.4154899474760896e-11]);
    }
}
