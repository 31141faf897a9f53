using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Autograd;

public class MicrogradGoldenTests
{
    private static Var<double> S(double v) => Var<double>.Parameter(Tensor.Scalar(v));

    /// <summary>The expression from micrograd's README (karpathy/micrograd), whose published values are
    /// g = 24.7041, dg/da = 138.8338, dg/db = 645.5773.</summary>
    [Test]
    public void ReadmeExpressionMatchesPublishedValues()
    {
        var a = S(-4.0);
        var b = S(2.0);
        var c = a + b;
        var d = (a * b) + b.Pow(3);
        c = c + (c + 1.0);
        c = c + (1.0 + c + (-a));
        d = d + ((d * 2.0) + (b + a).Relu());
        d = d + ((3.0 * d) + (b - a).Relu());
        var e = c - d;
        var f = e.Pow(2);
        var g = f / 2.0;
        g = g + (10.0 / f);

        Assert.That(g.Item(), Is.EqualTo(24.7041).Within(5e-5));
        g.Backward();
        Assert.That(a.Grad!.Item(), Is.EqualTo(138.8338).Within(5e-5));
        Assert.That(b.Grad!.Item(), Is.EqualTo(645.5773).Within(5e-5));
    }
}
