using Mtl.Tensors;
using Mtl.Tensors.Kernels;
using static Mtl.Tests.Tensors.TensorTestHelpers;

namespace Mtl.Tests.Tensors;

/// <summary>NumPy broadcasting against a naive multi-index loop, on listed and on seeded random shapes.</summary>
public class BroadcastTests
{
    private static readonly (string Name, Func<Tensor<float>, Tensor<float>, Tensor<float>> Apply, Action<Tensor<float>, Tensor<float>, Tensor<float>> Into, Func<double, double, double> Reference)[] Ops =
    [
        ("Add", Tensor.Add, Tensor.Add, (a, b) => a + b),
        ("Subtract", Tensor.Subtract, Tensor.Subtract, (a, b) => a - b),
        ("Divide", Tensor.Divide, Tensor.Divide, (a, b) => a / b),
        ("Maximum", Tensor.Maximum, Tensor.Maximum, Math.Max),
        ("CompareLess", (x, y) => Tensor.Compare(x, y, Comparison.Less), (x, y, d) => Tensor.Compare(x, y, Comparison.Less, d), (a, b) => a < b ? 1 : 0),
    ];

    private static readonly int[][][] Listed =
    [
        [[], [3, 4]],
        [[3, 4], []],
        [[4], [3, 4]],
        [[3, 4], [4]],
        [[3, 1], [3, 4]],
        [[1, 4], [3, 1]],
        [[2, 1, 3], [4, 1]],
        [[1], [5, 1, 1]],
        [[2, 3, 4, 5], [3, 1, 5]],
        [[4, 1, 1, 7], [1, 6, 5, 1]],
        [[2, 1, 3, 1], [1, 4, 1, 5]],
        [[1, 1], [1]],
        [[0, 3], [3]],
        [[2, 0], [2, 1]],
        [[1, 0], [3, 1]],
        [[0], []],
        [[5, 2, 1, 3, 1, 2], [2, 1, 3, 5, 1]],
    ];

    [Test]
    public void ListedShapesMatchNaiveLoop()
    {
        var random = new SeededRandom(11);
        foreach (var pair in Listed)
        {
            CheckPair(random, new Shape(pair[0]), new Shape(pair[1]));
        }
    }

    [Test]
    public void RandomShapesUpToRankFourMatchNaiveLoop()
    {
        var random = new SeededRandom(12);
        for (int trial = 0; trial < 400; trial++)
        {
            int rank = random.NextInt(5);
            var outShape = RandomShape(random, rank, random.NextInt(8) == 0 ? 0 : 1, 4);
            CheckPair(random, Derive(random, outShape), Derive(random, outShape));
        }
    }

    [Test]
    public void IncompatibleShapesThrowWithBothShapes()
    {
        int[][][] bad = [[[2, 3], [3, 2]], [[4], [5]], [[2, 1, 3], [4, 2]], [[0], [2]]];
        foreach (var pair in bad)
        {
            var x = new Tensor<float>(pair[0]);
            var y = new Tensor<float>(pair[1]);
            foreach (var op in Ops)
            {
                var ex = Assert.Throws<ArgumentException>(() => op.Apply(x, y));
                Assert.That(ex!.Message, Does.Contain(x.Shape.ToString()).And.Contain(y.Shape.ToString()), op.Name);
            }

            var bt = Assert.Throws<ArgumentException>(() => Tensor.BroadcastTo(x, y.Shape));
            Assert.That(bt!.Message, Does.StartWith("BroadcastTo:").And.Contain(x.Shape.ToString()).And.Contain(y.Shape.ToString()));
        }

        // Broadcasting that is valid but would grow the target: [3] cannot be broadcast *to* [2, 1].
        var grow = Assert.Throws<ArgumentException>(() => Tensor.BroadcastTo(Tensor.Ones<float>(3), new Shape(2, 1)));
        Assert.That(grow!.Message, Does.StartWith("BroadcastTo:").And.Contain("[3]").And.Contain("[2, 1]"));
    }

    [Test]
    public void WhereBroadcastsAllThreeOperands()
    {
        var random = new SeededRandom(13);
        for (int trial = 0; trial < 100; trial++)
        {
            var outShape = RandomShape(random, random.NextInt(5), 1, 4);
            var maskShape = Derive(random, outShape);
            var mask = new Tensor<float>(maskShape);
            for (int i = 0; i < mask.Length; i++)
            {
                mask.Span[i] = random.NextInt(3) switch { 0 => 0f, 1 => 1f, _ => -2f };
            }

            var a = Random<float>(random, Derive(random, outShape));
            var b = Random<float>(random, Derive(random, outShape));
            var w = Tensor.Where(mask, a, b);
            var shape = Shape.Broadcast(mask.Shape, Shape.Broadcast(a.Shape, b.Shape, "t"), "t");
            Assert.That(w.Shape, Is.EqualTo(shape));
            for (int i = 0; i < w.Length; i++)
            {
                var idx = Unravel(i, shape);
                float expected = mask.Span[BroadcastSource(idx, mask.Shape)] != 0 ? a.Span[BroadcastSource(idx, a.Shape)] : b.Span[BroadcastSource(idx, b.Shape)];
                Assert.That(w.Span[i], Is.EqualTo(expected), $"Where {mask.Shape} {a.Shape} {b.Shape} at {i}");
            }
        }
    }

    private static void CheckPair(SeededRandom random, Shape xs, Shape ys)
    {
        var x = Random<float>(random, xs);
        var y = Random<float>(random, ys);
        var outShape = Shape.Broadcast(xs, ys, "t");
        foreach (var op in Ops)
        {
            var z = op.Apply(x, y);
            string what = $"{op.Name} {xs} {ys}";
            Assert.That(z.Shape, Is.EqualTo(outShape), what);
            for (int i = 0; i < z.Length; i++)
            {
                var idx = Unravel(i, outShape);
                double reference = op.Reference(x.Span[BroadcastSource(idx, xs)], y.Span[BroadcastSource(idx, ys)]);
                if (!SameBits(z.Span[i], reference))
                {
                    Assert.Fail($"{what}: element {i} is {z.Span[i]}, expected {(float)reference}.");
                }
            }

            var d = Tensor.Full(float.NaN, outShape.ToArray());
            op.Into(x, y, d);
            AssertSameBits(d, z, what + " into a destination");
            if (xs == outShape)
            {
                var inPlace = x.Clone();
                op.Into(inPlace, y, inPlace);
                AssertSameBits(inPlace, z, what + " in place");
            }
        }

        // BroadcastTo is the same walk with the first operand all zeros.
        AssertSameBits(Tensor.BroadcastTo(x, outShape), Tensor.Add(x, Tensor.Zeros<float>(outShape)), $"BroadcastTo {xs} -> {outShape}");
    }

    /// <summary>A shape that broadcasts to <paramref name="outShape"/>: some leading axes dropped, some axes set to 1.</summary>
    private static Shape Derive(SeededRandom random, Shape outShape)
    {
        int drop = random.NextInt(outShape.Rank + 1);
        var d = new int[outShape.Rank - drop];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = random.NextInt(3) == 0 ? 1 : outShape[i + drop];
        }

        return new Shape(d);
    }
}
