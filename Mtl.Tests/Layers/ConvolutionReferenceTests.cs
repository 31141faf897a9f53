using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>Conv2d and MaxPool2d forward and gradients against direct loops over the definition.</summary>
public class ConvolutionReferenceTests
{
    /// <summary>y[n,o,oy,ox] = b[o] + Σ_{c,i,j} w[o,c,i,j]·x[n,c,oy·s−p+i,ox·s−p+j], straight from the definition.</summary>
    private static double[] NaiveConv(Tensor<double> x, Tensor<double> w, Tensor<double> b, int stride, int pad, out int outH, out int outW)
    {
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(2), wd = x.Dim(3), o = w.Dim(0), kh = w.Dim(2), kw = w.Dim(3);
        outH = ((h + (2 * pad) - kh) / stride) + 1;
        outW = ((wd + (2 * pad) - kw) / stride) + 1;
        var y = new double[n * o * outH * outW];
        for (int s = 0; s < n; s++)
        {
            for (int oc = 0; oc < o; oc++)
            {
                for (int oy = 0; oy < outH; oy++)
                {
                    for (int ox = 0; ox < outW; ox++)
                    {
                        double sum = b[oc];
                        for (int ic = 0; ic < c; ic++)
                        {
                            for (int i = 0; i < kh; i++)
                            {
                                for (int j = 0; j < kw; j++)
                                {
                                    int iy = (oy * stride) - pad + i, ix = (ox * stride) - pad + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd)
                                    {
                                        sum += w[oc, ic, i, j] * x[s, ic, iy, ix];
                                    }
                                }
                            }
                        }

                        y[(((((s * o) + oc) * outH) + oy) * outW) + ox] = sum;
                    }
                }
            }
        }

        return y;
    }

    [Test]
    public void Conv2dMatchesTheDefinitionOnOddSizes()
    {
        // 7x5 input, 3x3 kernel, stride 2, padding 1, channels 3 -> 4: windows hang over the padding on every side.
        var conv = new Conv2d<double>(3, 4, 3, new SeededRandom(1), stride: 2, padding: 1);
        var x = LayerTestKit.Input(2, 2, 3, 7, 5);
        var y = conv.Forward(x);

        var expected = NaiveConv(x.Data, conv.Weight.Data, conv.Bias!.Data, 2, 1, out int outH, out int outW);
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 4, outH, outW)));
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 4, 4, 3)));
        LayerTestKit.AssertClose(y.Data.ReadOnlySpan, expected, 1e-12, "y");
    }

    [Test]
    public void Conv2dGradientsMatchTheDefinition()
    {
        var conv = new Conv2d<double>(3, 4, 3, new SeededRandom(3), stride: 2, padding: 1);
        var x = LayerTestKit.Input(4, 2, 3, 7, 5);
        var y = conv.Forward(x);
        var dy = Tensor.RandomNormal<double>(5, y.Shape.ToArray());
        y.Backward(dy);

        // dx[n,c,iy,ix] = Σ w[o,c,i,j]·dy[n,o,oy,ox], dw[o,c,i,j] = Σ x[n,c,iy,ix]·dy[n,o,oy,ox], db[o] = Σ dy[n,o,·,·].
        var xs = x.Data;
        var ws = conv.Weight.Data;
        var dx = new double[xs.Length];
        var dw = new double[ws.Length];
        var db = new double[4];
        int outH = y.Shape[2], outW = y.Shape[3];
        for (int s = 0; s < 2; s++)
        {
            for (int o = 0; o < 4; o++)
            {
                for (int oy = 0; oy < outH; oy++)
                {
                    for (int ox = 0; ox < outW; ox++)
                    {
                        double g = dy[s, o, oy, ox];
                        db[o] += g;
                        for (int c = 0; c < 3; c++)
                        {
                            for (int i = 0; i < 3; i++)
                            {
                                for (int j = 0; j < 3; j++)
                                {
                                    int iy = (oy * 2) - 1 + i, ix = (ox * 2) - 1 + j;
                                    if (iy >= 0 && iy < 7 && ix >= 0 && ix < 5)
                                    {
                                        dx[xs.FlatIndex(s, c, iy, ix)] += ws[o, c, i, j] * g;
                                        dw[ws.FlatIndex(o, c, i, j)] += xs[s, c, iy, ix] * g;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        LayerTestKit.AssertClose(x.Grad!.ReadOnlySpan, dx, 1e-12, "dx");
        LayerTestKit.AssertClose(conv.Weight.Grad!.ReadOnlySpan, dw, 1e-12, "dW");
        LayerTestKit.AssertClose(conv.Bias!.Grad!.ReadOnlySpan, db, 1e-12, "db");
    }

    /// <summary>
    /// Stride 1 with an output as wide as the input, where im2col and col2im move whole shifted blocks and zero the
    /// padding columns: forward, dx, dW and db against the definition, for square, rectangular and one-row
    /// kernels and for heights that shrink (no vertical padding) or grow (more padding than the kernel needs).
    /// </summary>
    [TestCase(3, 3, 1, 1)]
    [TestCase(5, 5, 2, 2)]
    [TestCase(3, 5, 1, 2)]
    [TestCase(1, 3, 0, 1)]
    [TestCase(3, 3, 0, 1)]
    [TestCase(3, 3, 2, 1)]
    public void Conv2dOfTheSameWidthMatchesTheDefinition(int kh, int kw, int ph, int pw)
    {
        const int n = 2, c = 3, o = 4, h = 6, wd = 7;
        var conv = new Conv2d<double>(c, o, (kh, kw), new SeededRandom(11), stride: (1, 1), padding: (ph, pw));
        var x = LayerTestKit.Input(12, n, c, h, wd);
        var y = conv.Forward(x);
        int outH = h + (2 * ph) - kh + 1;
        Assert.That(y.Shape, Is.EqualTo(new Shape(n, o, outH, wd)));
        var dy = Tensor.RandomNormal<double>(13, y.Shape.ToArray());
        var xs = x.Data;
        var ws = conv.Weight.Data;
        var expected = new double[y.Shape.Length];
        var dx = new double[xs.Length];
        var dw = new double[ws.Length];
        for (int s = 0; s < n; s++)
        {
            for (int oc = 0; oc < o; oc++)
            {
                for (int oy = 0; oy < outH; oy++)
                {
                    for (int ox = 0; ox < wd; ox++)
                    {
                        double sum = conv.Bias!.Data[oc], g = dy[s, oc, oy, ox];
                        for (int ic = 0; ic < c; ic++)
                        {
                            for (int i = 0; i < kh; i++)
                            {
                                for (int j = 0; j < kw; j++)
                                {
                                    int iy = oy - ph + i, ix = ox - pw + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < wd)
                                    {
                                        sum += ws[oc, ic, i, j] * xs[s, ic, iy, ix];
                                        dx[xs.FlatIndex(s, ic, iy, ix)] += ws[oc, ic, i, j] * g;
                                        dw[ws.FlatIndex(oc, ic, i, j)] += xs[s, ic, iy, ix] * g;
                                    }
                                }
                            }
                        }

                        expected[y.Data.FlatIndex(s, oc, oy, ox)] = sum;
                    }
                }
            }
        }

        LayerTestKit.AssertClose(y.Data.ReadOnlySpan, expected, 1e-12, "y");
        y.Backward(dy);
        LayerTestKit.AssertClose(x.Grad!.ReadOnlySpan, dx, 1e-12, "dx");
        LayerTestKit.AssertClose(conv.Weight.Grad!.ReadOnlySpan, dw, 1e-12, "dW");
    }

    [Test]
    public void Conv2dWithoutBiasAndRectangularKernel()
    {
        var conv = new Conv2d<double>(2, 3, (2, 3), new SeededRandom(6), stride: (1, 2), padding: (0, 1), bias: false);
        Assert.That(conv.Bias, Is.Null);
        Assert.That(conv.NamedParameters().Select(p => p.Key), Is.EqualTo(new[] { "weight" }));
        var x = LayerTestKit.Input(7, 1, 2, 4, 6);
        var y = conv.Forward(x);

        // OH = (4 - 2)/1 + 1 = 3, OW = (6 + 2 - 3)/2 + 1 = 3.
        Assert.That(y.Shape, Is.EqualTo(new Shape(1, 3, 3, 3)));
        int n = 1, o = 3, h = 4, w = 6;
        for (int oc = 0; oc < o; oc++)
        {
            for (int oy = 0; oy < 3; oy++)
            {
                for (int ox = 0; ox < 3; ox++)
                {
                    double sum = 0;
                    for (int c = 0; c < 2; c++)
                    {
                        for (int i = 0; i < 2; i++)
                        {
                            for (int j = 0; j < 3; j++)
                            {
                                int iy = oy + i, ix = (ox * 2) - 1 + j;
                                if (ix >= 0 && ix < w && iy < h)
                                {
                                    sum += conv.Weight.Data[oc, c, i, j] * x.Data[n - 1, c, iy, ix];
                                }
                            }
                        }
                    }

                    Assert.That(y.Data[0, oc, oy, ox], Is.EqualTo(sum).Within(1e-12));
                }
            }
        }
    }

    [Test]
    public void Conv2dInitialisationIsPyTorchs()
    {
        // U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = 3*3*3 = 27 for weight and bias alike.
        var conv = new Conv2d<double>(3, 16, 3, new SeededRandom(8));
        double bound = 1 / Math.Sqrt(27);
        Assert.That(conv.Weight.Shape, Is.EqualTo(new Shape(16, 3, 3, 3)));
        Assert.That(conv.Weight.Data.ToArray().Max(Math.Abs), Is.LessThanOrEqualTo(bound).And.GreaterThan(0.9 * bound));
        Assert.That(conv.Bias!.Data.ToArray().Max(Math.Abs), Is.LessThanOrEqualTo(bound));
    }

    [Test]
    public void MaxPool2dMatchesTheDefinitionAndRoutesGradientsToTheFirstMaximum()
    {
        // Small integers make ties common; odd sizes leave a remainder row and column that floor mode drops.
        var random = new SeededRandom(9);
        var data = new Tensor<double>(2, 3, 7, 5);
        var span = data.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = random.NextInt(4);
        }

        var x = Var<double>.Parameter(data);
        var pool = new MaxPool2d<double>(3, stride: 2);
        var y = pool.Forward(x);
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 3, 3, 2)));

        var dy = Tensor.RandomNormal<double>(10, 2, 3, 3, 2);
        y.Backward(dy);
        var dx = new double[data.Length];
        int ties = 0;
        for (int s = 0; s < 2; s++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int oy = 0; oy < 3; oy++)
                {
                    for (int ox = 0; ox < 2; ox++)
                    {
                        double best = double.NegativeInfinity;
                        int at = -1, count = 0;
                        for (int i = 0; i < 3; i++)
                        {
                            for (int j = 0; j < 3; j++)
                            {
                                double v = data[s, c, (oy * 2) + i, (ox * 2) + j];
                                if (v > best)
                                {
                                    best = v;
                                    at = data.FlatIndex(s, c, (oy * 2) + i, (ox * 2) + j);
                                    count = 1;
                                }
                                else if (v == best)
                                {
                                    count++;
                                }
                            }
                        }

                        ties += count > 1 ? 1 : 0;
                        Assert.That(y.Data[s, c, oy, ox], Is.EqualTo(best));
                        dx[at] += dy[s, c, oy, ox];
                    }
                }
            }
        }

        Assert.That(ties, Is.GreaterThan(0), "the input must contain tied windows for this test to mean anything");
        LayerTestKit.AssertClose(x.Grad!.ReadOnlySpan, dx, 0, "dx");
    }

    [Test]
    public void MaxPool2dDefaultStrideIsTheKernel()
    {
        var x = Var<double>.Constant(Tensor.Arange<double>(16).Reshape(1, 1, 4, 4));
        var y = new MaxPool2d<double>(2).Forward(x);
        Assert.That(y.Data.ToArray(), Is.EqualTo(new double[] { 5, 7, 13, 15 }));
    }

    [Test]
    public void FlattenKeepsTheBatchAxis()
    {
        var x = LayerTestKit.Input(11, 2, 3, 4, 5);
        var y = new Flatten<double>().Forward(x);
        Assert.That(y.Shape, Is.EqualTo(new Shape(2, 60)));
        Assert.That(y.Data.ToArray(), Is.EqualTo(x.Data.ToArray()));
    }
}
