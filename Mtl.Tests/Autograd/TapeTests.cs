using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Autograd;

public class TapeTests
{
    private static Var<double> P(double[] values, string? name = null) => Var<double>.Parameter(Tensor.FromArray<double>(values), name);

    [Test]
    public void GradientAccumulatesWhenAValueIsUsedTwice()
    {
        var x = P([3.0]);
        var y = (x * x) + x; // dy/dx = 2x + 1 = 7
        y.Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(7.0));
    }

    [Test]
    public void LeafGradientsAccumulateAcrossBackwardsUntilZeroGrad()
    {
        var x = P([2.0]);
        (x * 3.0).Backward();
        (x * 4.0).Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(7.0));
        x.ZeroGrad();
        Assert.That(x.Grad!.Item(), Is.Zero);
    }

    [Test]
    public void HookFiresOnceWithTheCompleteGradientAndCanReplaceIt()
    {
        var x = P([1.0, 2.0]);
        var h = x * 2.0;
        var seen = new List<double[]>();
        using (h.RegisterHook(g =>
        {
            seen.Add(g.ToArray());
            return g * 10.0;
        }))
        {
            var y = (h * h).Sum() + h.Sum(); // dy/dh = 2h + 1 = [5, 9]
            y.Backward();
        }

        Assert.That(seen, Has.Count.EqualTo(1));
        Assert.That(seen[0], Is.EqualTo(new[] { 5.0, 9.0 }));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 100.0, 180.0 })); // 10·[5, 9]·2
    }

    [Test]
    public void RemovedHookNoLongerFires()
    {
        var x = P([1.0]);
        int calls = 0;
        var handle = x.RegisterHook(g =>
        {
            calls++;
            return null;
        });
        (x * 2.0).Sum().Backward();
        handle.Dispose();
        (x * 2.0).Sum().Backward();
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(x.Grad!.Item(), Is.EqualTo(4.0));
    }

    [Test]
    public void LeafHookSeesOnlyThisPassGradient()
    {
        var x = P([1.0]);
        var seen = new List<double>();
        x.RegisterHook(g =>
        {
            seen.Add(g.Item());
            return null;
        });
        (x * 2.0).Sum().Backward();
        (x * 5.0).Sum().Backward();
        Assert.That(seen, Is.EqualTo(new[] { 2.0, 5.0 }));
        Assert.That(x.Grad!.Item(), Is.EqualTo(7.0));
    }

    [Test]
    public void NoGradRecordsNothingAndItsResultsOutliveTheTape()
    {
        var x = P([1.0, 2.0]);
        Tape.Current.Release();
        Var<double> y;
        using (Tape.NoGrad())
        {
            y = (x * 2.0).Exp();
        }

        Assert.That(Tape.Current.Nodes, Is.Empty);
        Assert.That(y.RequiresGrad, Is.False);
        (x * 3.0).Sum().Backward();
        _ = (x * 1.0).Sum(); // starts a new generation
        Assert.That(y.Data[1], Is.EqualTo(Math.Exp(4.0)).Within(1e-12));
    }

    [Test]
    public void TensorOperandsActLikeConstantLeaves()
    {
        var random = new SeededRandom(3);
        var w = Var<double>.Parameter(Tensor.RandomNormal<double>(random, new Shape(2, 3)));
        var t = Tensor.RandomNormal<double>(random, new Shape(3));
        var c = Var<double>.Constant(t);
        double[] Run(Func<Var<double>, Var<double>> f)
        {
            w.ZeroGrad();
            var y = f(w);
            y.Sum().Backward();
            return [.. y.Data.ToArray(), .. w.Grad!.ToArray()];
        }

        var withTensors = Run(v => ((v - t) * (t + v)) + ((t - v) / (t * t + 1.0)) + (v / (t * t + 1.0)) * (t * v));
        var withLeaves = Run(v => ((v - c) * (c + v)) + ((c - v) / Var<double>.Constant(t * t + 1.0)) + (v / Var<double>.Constant(t * t + 1.0)) * (c * v));
        Assert.That(withTensors, Is.EqualTo(withLeaves));

        Var<double> kept;
        using (Tape.NoGrad())
        {
            kept = w - t;
        }

        (w * 2.0).Sum().Backward();
        _ = w * 1.0; // releases the generation; the no-grad result is an ordinary constant
        Assert.That(kept.RequiresGrad, Is.False);
        Assert.That(kept.Data[0, 0], Is.EqualTo(w.Data[0, 0] - t[0]));
    }

    [Test]
    public void DetachStopsTheGradient()
    {
        var x = P([2.0]);
        var y = (x * x.Detach()).Sum(); // d/dx = x (the detached factor is a constant)
        y.Backward();
        Assert.That(x.Grad!.Item(), Is.EqualTo(2.0));
    }

    [Test]
    public void RetainGradKeepsAnIntermediateGradient()
    {
        var x = P([1.0, -2.0]);
        var h = (x * 3.0).RetainGrad();
        var other = x * 2.0;
        (h.Square().Sum() + other.Sum()).Backward();
        Assert.That(h.Grad!.ToArray(), Is.EqualTo(new[] { 6.0, -12.0 }));
        Assert.That(other.Grad, Is.Null);
    }

    [Test]
    public void RetainGraphAllowsOneBackwardPerTaskOverOneForwardPass()
    {
        var w = P([1.0, 2.0], "shared");
        var h = (w * 3.0).Tanh();
        var loss1 = h.Sum();
        var loss2 = (h * h).Sum();

        loss1.Backward(retainGraph: true);
        var g1 = w.Grad!.ToArray();
        w.ZeroGrad();
        loss2.Backward(retainGraph: true);
        var g2 = w.Grad!.ToArray();
        w.ZeroGrad();
        (loss1 + loss2).Backward();
        var both = w.Grad!.ToArray();

        for (int i = 0; i < 2; i++)
        {
            Assert.That(both[i], Is.EqualTo(g1[i] + g2[i]).Within(1e-12));
        }

        Assert.That(g1[0], Is.Not.EqualTo(g2[0]));
    }

    [Test]
    public void SecondBackwardAfterReleaseThrows()
    {
        var x = P([1.0]);
        var y = (x * 2.0).Sum();
        y.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("retainGraph"));
    }

    [Test]
    public void ValuesOfAReleasedGenerationThrowWhenUsed()
    {
        var x = P([1.0, 2.0]);
        var h = x * 2.0;
        h.Sum().Backward();
        _ = x * 1.0; // the next forward pass releases the consumed generation
        var ex = Assert.Throws<InvalidOperationException>(() => _ = h.Data);
        Assert.That(ex!.Message, Does.Contain("released"));
        Assert.Throws<InvalidOperationException>(() => _ = h.Relu());
    }

    [Test]
    public void BackwardFromNonScalarNeedsASeedOfTheRightShape()
    {
        var x = P([1.0, 2.0]);
        var y = x * 3.0;
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.That(ex!.Message, Does.Contain("not a scalar").And.Contain("[2]"));
        var ex2 = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones<double>(3)));
        Assert.That(ex2!.Message, Does.Contain("[3]").And.Contain("[2]"));
        y.Backward(Tensor.FromArray([1.0, 10.0]));
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, 30.0 }));
    }

    [Test]
    public void BackwardOnAConstantThrows()
    {
        var c = Var<double>.Constant(Tensor.Scalar(1.0));
        Assert.Throws<InvalidOperationException>(() => (c * 2.0).Backward());
    }

    [Test]
    public void UsingAValueOnAnotherThreadFailsLoudly()
    {
        var x = P([1.0]);
        var h = x * 2.0;
        Exception? caught = null;
        var thread = new Thread(() =>
        {
            try
            {
                _ = h.Relu();
            }
            catch (InvalidOperationException e)
            {
                caught = e;
            }
        });
        thread.Start();
        thread.Join();
        Assert.That(caught, Is.Not.Null);
        Assert.That(caught!.Message, Does.Contain("another thread"));
    }

    [Test]
    public void ParametersCanBeUsedFromSeveralThreads()
    {
        var w = P([1.0, 2.0]);
        var results = new double[2];
        var threads = Enumerable.Range(0, 2).Select(i => new Thread(() => results[i] = (w * (i + 1.0)).Sum().Item())).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        Assert.That(results, Is.EqualTo(new[] { 3.0, 6.0 }));
    }

    [Test]
    public void AnomalyModeNamesTheFirstOpProducingNaN()
    {
        var x = P([-1.0, 4.0], "x");
        using (Tape.DetectAnomaly())
        {
            var ex = Assert.Throws<AnomalyException>(() => _ = (x * 2.0).Sqrt().Log());
            Assert.That(ex!.OpName, Is.EqualTo("sqrt"));
            Assert.That(ex.Message, Does.Contain("sqrt").And.Contain("NaN").And.Contain("input 0"));
        }
    }

    [Test]
    public void AnomalyModeCatchesNonFiniteGradientsInBackward()
    {
        var x = P([0.0, 4.0], "x");
        using (Tape.DetectAnomaly())
        {
            var y = x.Sqrt().Sum(); // forward is finite; d√x/dx at 0 is infinite
            var ex = Assert.Throws<AnomalyException>(() => y.Backward());
            Assert.That(ex!.Message, Does.Contain("backward").And.Contain("sqrt"));
        }
    }

    [Test]
    public void TapeDumpListsEveryOpWithShapesAndStatistics()
    {
        Tape.Current.Release();
        var x = Var<double>.Constant(Tensor.FromArray([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 2, 3), "x");
        var w = Var<double>.Parameter(Tensor.FromArray([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], 2, 3), "layer.weight");
        var loss = Ops.Linear(x, w).Relu().Sum();
        loss.Backward();
        var lines = Tape.Current.Dump().TrimEnd().Split('\n');
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[0], Does.StartWith("#0").And.Contain("linear").And.Contain("'x'[2, 3]").And.Contain("'layer.weight'[2, 3]").And.Contain("-> [2, 2]"));
        Assert.That(lines[1], Does.Contain("relu").And.Contain("#0[2, 2]"));
        Assert.That(lines[2], Does.Contain("sum").And.Contain("-> []").And.Contain("norm=").And.Contain("grad norm=1"));
    }

    [Test]
    public void DotExportShowsOpsParametersAndGradients()
    {
        var x = Var<double>.Constant(Tensor.FromArray([1.0, 2.0], 1, 2), "x");
        var w = Var<double>.Parameter(Tensor.FromArray([0.5, -0.5], 1, 2), "head.weight");
        var loss = Ops.Linear(x, w).Sigmoid().Sum();
        loss.Backward();
        string dot = Graphviz.ToDot(loss);
        Assert.That(dot, Does.StartWith("digraph"));
        Assert.That(dot, Does.Contain("head.weight").And.Contain("linear").And.Contain("sigmoid").And.Contain("|grad|="));
        Assert.That(dot.Split("->").Length - 1, Is.EqualTo(4)); // x, w -> linear -> sigmoid -> sum
    }

    [Test]
    public void SteadyStateTrainingStepReusesPooledBuffers()
    {
        var random = new SeededRandom(1);
        var x = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(16, 8)));
        var w = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(4, 8)));
        var b = Var<float>.Parameter(Tensor.Zeros<float>(4));
        void Step()
        {
            var loss = Ops.Linear(x, w, b).Relu().Square().Mean();
            loss.Backward();
        }

        for (int i = 0; i < 3; i++)
        {
            Step();
        }

        Tape.Current.Release();
        int idle = TensorPool<float>.IdleBuffers;
        for (int i = 0; i < 5; i++)
        {
            Step();
            Tape.Current.Release();
            Assert.That(TensorPool<float>.IdleBuffers, Is.EqualTo(idle), "the pool must not grow once the step repeats");
        }

        // Nodes, value states and tensors (objects and storage) come from the pools; what is left is the
        // Var handle each of the 4 ops returns (40 bytes on 64-bit .NET; before the memory rule, ~150 bytes per op).
        long most = 0;
        for (int i = 0; i < 10; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Step();
            Tape.Current.Release();
            most = Math.Max(most, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.That(most, Is.LessThanOrEqualTo(4 * 40), "a repeated step allocates only the Var handles its ops return");
    }

    [Test]
    public void FloatMlpGradientsAgreeWithDouble()
    {
        var random = new SeededRandom(5);
        var shapes = new[] { new Shape(8, 6), new Shape(10, 6), new Shape(10), new Shape(3, 10), new Shape(3) };
        var doubles = shapes.Select(s => Tensor.RandomNormal<double>(random, s, std: 0.5)).ToArray();
        var floats = doubles.Select(Tensor.Cast<double, float>).ToArray();
        int[] labels = [0, 1, 2, 0, 1, 2, 0, 1];

        double[][] Grads<T>(Tensor<T>[] ts)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            var v = ts.Select((t, i) => i == 0 ? Var<T>.Constant(t) : Var<T>.Parameter(t)).ToArray();
            var h = Ops.Linear(v[0], v[1], v[2]).Gelu();
            var loss = Ops.CrossEntropy(Ops.Linear(h, v[3], v[4]), labels);
            loss.Backward();
            return v.Skip(1).Select(p => p.Grad!.ToArray().Select(g => double.CreateTruncating(g)).ToArray()).ToArray();
        }

        var gd = Grads(doubles);
        var gf = Grads(floats);
        for (int p = 0; p < gd.Length; p++)
        {
            double scale = gd[p].Max(Math.Abs);
            for (int i = 0; i < gd[p].Length; i++)
            {
                Assert.That(gf[p][i], Is.EqualTo(gd[p][i]).Within(2e-6 * Math.Max(scale, 1e-3)), $"parameter {p} element {i}");
            }
        }
    }
}
