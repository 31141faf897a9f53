using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Autograd;

/// <summary>
/// Every op gradchecked in float64 (central differences, torch's tolerances) from one shared table of
/// cases, broadcast cases included (the minitorch pattern).
/// </summary>
public class GradCheckTableTests
{
    public sealed record Case(string Name, int[][] Shapes, Func<IReadOnlyList<Var<double>>, Var<double>> F, bool Positive = false)
    {
        public override string ToString() => Name;
    }

    private static int[] S(params int[] d) => d;

    private static readonly int[] Labels = [2, 0, 1, 2, 1];

    /// <summary>A fixed tensor in [−0.9, 0.9] for the Var-with-Tensor operators.</summary>
    private static Tensor<double> C(params int[] dims)
    {
        var t = new Tensor<double>(dims);
        for (int i = 0; i < t.Length; i++)
        {
            t[i] = (0.3 * (i % 7)) - 0.9;
        }

        return t;
    }

    public static IEnumerable<Case> Cases()
    {
        // Arithmetic, with every broadcast pattern.
        yield return new("add", [S(3, 4), S(3, 4)], v => v[0] + v[1]);
        yield return new("add row vector", [S(3, 4), S(4)], v => v[0] + v[1]);
        yield return new("add column vector", [S(3, 4), S(3, 1)], v => v[0] + v[1]);
        yield return new("add scalar tensor", [S(3, 4), S()], v => v[0] + v[1]);
        yield return new("add general broadcast", [S(2, 1, 3), S(4, 1)], v => v[0] + v[1]);
        yield return new("sub", [S(3, 4), S(3, 4)], v => v[0] - v[1]);
        yield return new("sub broadcast both ways", [S(3, 1), S(1, 4)], v => v[0] - v[1]);
        yield return new("mul", [S(3, 4), S(3, 4)], v => v[0] * v[1]);
        yield return new("mul row vector", [S(3, 4), S(4)], v => v[0] * v[1]);
        yield return new("mul general broadcast", [S(2, 1, 3), S(4, 1)], v => v[0] * v[1]);
        yield return new("div", [S(3, 4), S(3, 4)], v => v[0] / v[1], Positive: true);
        yield return new("div column vector", [S(3, 4), S(3, 1)], v => v[0] / v[1], Positive: true);
        yield return new("neg", [S(5)], v => -v[0]);
        yield return new("scalar affine", [S(2, 3)], v => (3.0 - (v[0] * 2.5)) + 1.0);
        yield return new("scalar divide", [S(2, 3)], v => (v[0] / 4.0) + (2.0 / v[0]), Positive: true);
        yield return new("add constant tensor, both orders", [S(3, 4)], v => (v[0] + C(4)) * (C(3, 1) + v[0]));
        yield return new("sub constant tensor, both orders", [S(3, 4)], v => (v[0] - C(3, 4)) * (C(4) - v[0]));
        yield return new("mul constant tensor, both orders", [S(3, 4)], v => (v[0] * C(3, 4)) + (C(3, 1) * v[0]));
        yield return new("div constant tensor, both orders", [S(3, 4)], v => (v[0] / (C(4) + 2.0)) + (C(3, 4) / v[0]), Positive: true);

        // Linear algebra.
        yield return new("matmul A·B", [S(3, 4), S(4, 5)], v => v[0].MatMul(v[1]));
        yield return new("matmul A·Bᵀ", [S(3, 4), S(5, 4)], v => v[0].MatMulTransposeB(v[1]));
        yield return new("matmul Aᵀ·B", [S(4, 3), S(4, 5)], v => v[0].MatMulTransposeA(v[1]));
        yield return new("matmul Aᵀ·Bᵀ", [S(4, 3), S(5, 4)], v => v[0].MatMul(v[1], MatrixTranspose.Transpose, MatrixTranspose.Transpose));
        yield return new("matmul batched", [S(2, 3, 4), S(2, 4, 5)], v => v[0].MatMul(v[1]));
        yield return new("matmul batched shared B", [S(2, 3, 4), S(4, 5)], v => v[0].MatMul(v[1]));
        yield return new("matmul batched Aᵀ·B", [S(2, 4, 3), S(2, 4, 5)], v => v[0].MatMulTransposeA(v[1]));
        yield return new("linear", [S(3, 4), S(5, 4), S(5)], v => Ops.Linear(v[0], v[1], v[2]));
        yield return new("linear without bias", [S(3, 4), S(5, 4)], v => Ops.Linear(v[0], v[1]));
        yield return new("linear weight used twice", [S(3, 4), S(5, 4), S(5)], v => Ops.Linear(v[0], v[1], v[2]) * Ops.Linear(v[0] * 2.0, v[1], v[2]));
        yield return new("linear heads", [S(3, 4), S(1, 4), S(1), S(2, 4), S(2)], v =>
        {
            var heads = Ops.LinearHeads(v[0], [v[1], v[3]], [v[2], v[4]]);
            return heads[0].Square().Sum() + heads[1].Tanh().Sum();
        });
        yield return new("linear heads, one without bias, input used again", [S(3, 4), S(2, 4), S(3, 4), S(3)], v =>
        {
            var heads = Ops.LinearHeads(v[0].Tanh(), [v[1], v[2]], [null, v[3]]);
            return (heads[0].Square().Sum() * heads[1].Sum()) + v[0].Tanh().Sum();
        });
        yield return new("linear heads, single head", [S(3, 4), S(2, 4), S(2)], v => Ops.LinearHeads(v[0], [v[1]], [v[2]])[0].Square());
        yield return new("conv2d stride 2 padding 1", [S(2, 2, 5, 4), S(3, 2, 3, 3), S(3)], v => Ops.Conv2d(v[0], v[1], v[2], stride: (2, 2), padding: (1, 1)));
        yield return new("conv2d same width (shifted-block im2col)", [S(2, 2, 4, 5), S(3, 2, 3, 3), S(3)], v => Ops.Conv2d(v[0], v[1], v[2], padding: (1, 1)));
        yield return new("conv2d same width, rectangular, taller padding", [S(1, 2, 3, 4), S(2, 2, 3, 5), S(2)], v => Ops.Conv2d(v[0], v[1], v[2], padding: (2, 2)));
        yield return new("conv2d rectangular without bias", [S(1, 2, 4, 5), S(2, 2, 2, 3)], v => Ops.Conv2d(v[0], v[1], stride: (1, 2), padding: (0, 1)));
        yield return new("max_pool2d overlapping", [S(2, 2, 4, 3)], v => Ops.MaxPool2d(v[0], (2, 2), (1, 1)));
        yield return new("transpose", [S(3, 5)], v => v[0].Transpose() * v[0].Transpose());
        yield return new("reshape", [S(3, 4)], v => v[0].Reshape(2, -1).Square());

        // Reductions.
        yield return new("sum", [S(3, 4)], v => (v[0] * v[0]).Sum());
        yield return new("sum axis 0", [S(3, 4)], v => v[0].Sum(0).Square());
        yield return new("sum axis 1 keepdim", [S(2, 3, 4)], v => v[0].Sum(1, keepDim: true) * v[0]);
        yield return new("mean", [S(3, 4)], v => v[0].Square().Mean());
        yield return new("mean axis -1", [S(2, 3, 4)], v => v[0].Mean(-1).Square());
        yield return new("max axis 1", [S(3, 5)], v => v[0].Max(1).Square());
        yield return new("max axis 0 keepdim", [S(4, 3)], v => v[0].Max(0, keepDim: true) * v[0]);

        // Element-wise functions.
        yield return new("exp", [S(7)], v => v[0].Exp());
        yield return new("log", [S(7)], v => v[0].Log(), Positive: true);
        yield return new("sqrt", [S(7)], v => v[0].Sqrt(), Positive: true);
        yield return new("pow 3", [S(7)], v => v[0].Pow(3));
        yield return new("pow 2.5", [S(7)], v => v[0].Pow(2.5), Positive: true);
        yield return new("square", [S(7)], v => v[0].Square());
        yield return new("reciprocal", [S(7)], v => v[0].Reciprocal(), Positive: true);
        yield return new("abs", [S(9)], v => v[0].Abs());
        yield return new("tanh", [S(9)], v => v[0].Tanh());
        yield return new("sigmoid", [S(9)], v => v[0].Sigmoid());
        yield return new("relu", [S(9)], v => v[0].Relu());
        yield return new("leaky relu", [S(9)], v => v[0].LeakyRelu(0.1));
        yield return new("gelu", [S(9)], v => v[0].Gelu());
        yield return new("gelu tanh", [S(9)], v => v[0].Gelu(tanhApproximation: true));
        yield return new("softplus", [S(9)], v => v[0].Softplus());
        yield return new("softplus beta 2", [S(9)], v => v[0].Softplus(beta: 2, threshold: 3));
        yield return new("clamp", [S(9)], v => v[0].Clamp(-0.5, 0.7));

        // Element-wise functions twice on one input: the first backward writes the input's gradient, the
        // second adds to it.
        yield return new("exp twice", [S(7)], v => v[0].Exp() * v[0].Exp());
        yield return new("log twice", [S(7)], v => v[0].Log() * v[0].Log(), Positive: true);
        yield return new("sqrt twice", [S(7)], v => v[0].Sqrt() * v[0].Sqrt(), Positive: true);
        yield return new("pow twice", [S(7)], v => v[0].Pow(3) * v[0].Pow(2.5), Positive: true);
        yield return new("square twice", [S(7)], v => v[0].Square() * v[0].Square());
        yield return new("reciprocal twice", [S(7)], v => v[0].Reciprocal() * v[0].Reciprocal(), Positive: true);
        yield return new("abs twice", [S(9)], v => v[0].Abs() * v[0].Abs());
        yield return new("tanh twice", [S(9)], v => v[0].Tanh() * v[0].Tanh());
        yield return new("sigmoid twice", [S(9)], v => v[0].Sigmoid() * v[0].Sigmoid());
        yield return new("relu twice", [S(9)], v => v[0].Relu() * v[0].Relu());
        yield return new("leaky relu twice", [S(9)], v => v[0].LeakyRelu(0.1) * v[0].LeakyRelu(0.2));
        yield return new("gelu twice", [S(9)], v => v[0].Gelu() * v[0].Gelu(tanhApproximation: true));
        yield return new("softplus twice", [S(9)], v => v[0].Softplus() * v[0].Softplus(beta: 2, threshold: 3));
        yield return new("clamp twice", [S(9)], v => v[0].Clamp(-0.5, 0.7) * v[0].Clamp(-0.2, 1.0));

        // Element-wise functions on 3 × 23 elements: the vector loops' unrolled blocks, single vectors and
        // overlapping last vector at every width (the cases above are shorter than one unrolled block).
        yield return new("exp 69", [S(3, 23)], v => v[0].Exp());
        yield return new("log 69", [S(3, 23)], v => v[0].Log(), Positive: true);
        yield return new("sqrt and reciprocal 69", [S(3, 23)], v => v[0].Sqrt() * v[0].Reciprocal(), Positive: true);
        yield return new("pow and abs 69", [S(3, 23)], v => v[0].Pow(2.5) * v[0].Abs(), Positive: true);
        yield return new("tanh and sigmoid 69", [S(3, 23)], v => v[0].Tanh() * v[0].Sigmoid());
        yield return new("relu and leaky relu 69", [S(3, 23)], v => v[0].Relu() * v[0].LeakyRelu(0.1));
        yield return new("gelu both forms 69", [S(3, 23)], v => v[0].Gelu() * v[0].Gelu(tanhApproximation: true));
        yield return new("softplus and clamp 69", [S(3, 23)], v => v[0].Softplus(beta: 2, threshold: 3) * v[0].Clamp(-0.5, 0.7));

        // Softmax family.
        yield return new("softmax", [S(3, 5)], v => v[0].Softmax());
        yield return new("log softmax", [S(3, 5)], v => v[0].LogSoftmax());
        yield return new("logsumexp", [S(3, 5)], v => v[0].LogSumExp());
        yield return new("logsumexp keepdim", [S(2, 3, 4)], v => v[0].LogSumExp(keepDim: true) * v[0]);
        yield return new("cross entropy", [S(5, 3)], v => Ops.CrossEntropy(v[0], Labels));
        yield return new("cross entropy masked", [S(5, 3)], v => Ops.CrossEntropy(v[0], Labels, Tensor.FromArray([1.0, 0.0, 2.0, 1.0, 0.0])));

        // Indexing and selection.
        yield return new("concat axis 0", [S(2, 3), S(4, 3)], v => Ops.Concat([v[0], v[1]], 0).Square());
        yield return new("concat axis 1", [S(2, 3), S(2, 1), S(2, 2)], v => Ops.Concat([v[0], v[1], v[2]], 1).Square());
        yield return new("slice", [S(3, 6)], v => v[0].Slice(1, 2, 3).Square());
        yield return new("gather with repeats", [S(4, 3)], v => v[0].Gather([3, 0, 3, 1]).Square());
        yield return new("where", [S(3, 4), S(3, 4)], v => Ops.Where(Tensor.FromArray([1.0, 0, 0, 1], 4), v[0], v[1]) * v[0]);
        yield return new("dropout", [S(4, 5)], v => v[0].Dropout(0.3, new SeededRandom(7)).Square());

        // A composite: a two-layer network with a mixed loss.
        yield return new("mlp", [S(4, 3), S(5, 3), S(5), S(2, 5), S(2)], v =>
        {
            var h = Ops.Linear(v[0], v[1], v[2]).Tanh();
            var o = Ops.Linear(h, v[3], v[4]);
            return Ops.CrossEntropy(o, [0, 1, 1, 0]) + o.Square().Mean();
        });
    }

    [TestCaseSource(nameof(Cases))]
    public void GradientMatchesFiniteDifferences(Case c)
    {
        var random = new SeededRandom(c.Name.Length * 7919);
        var inputs = c.Shapes.Select(s =>
        {
            var t = Tensor.RandomNormal<double>(random, new Shape(s));
            if (c.Positive)
            {
                var span = t.Span;
                for (int i = 0; i < span.Length; i++)
                {
                    span[i] = Math.Abs(span[i]) + 0.5;
                }
            }

            return t;
        }).ToArray();
        var before = inputs.Select(t => t.ToArray()).ToArray();

        var report = GradCheck.Run(c.F, inputs);

        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Inputs, Has.Count.EqualTo(inputs.Length));
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.That(inputs[i].ToArray(), Is.EqualTo(before[i]), "gradcheck must leave its inputs unchanged");
        }
    }

    [Test]
    public void AWrongBackwardIsCaughtAndReported()
    {
        // A hook doubles the gradient flowing into x: the check must fail and say where.
        var x = Tensor.RandomNormal<double>(3, 4);
        var report = GradCheck.Run(v =>
        {
            var y = v[0].Tanh();
            if (Tape.Current.IsRecording)
            {
                y.RegisterHook(g => g * 2.0);
            }

            return y.Sum();
        }, [x]);

        Assert.That(report.Passed, Is.False);
        Assert.That(report.Inputs[0].MaxRelativeError, Is.GreaterThan(0.9));
        var ex = Assert.Throws<GradCheckException>(() => GradCheck.Assert(v =>
        {
            var y = v[0].Tanh();
            if (Tape.Current.IsRecording)
            {
                y.RegisterHook(g => g * 2.0);
            }

            return y.Sum();
        }, [x]));
        Assert.That(ex!.Message, Does.Contain("FAIL").And.Contain("input 0"));
    }
}
