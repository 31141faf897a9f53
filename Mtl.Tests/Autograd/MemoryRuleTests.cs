using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Autograd;

/// <summary>
/// The memory rule: a tensor the tape handed out (an op's value or gradient, or a view of one) is valid
/// until the tape is released at the next forward pass; after that every read or write through it throws,
/// naming the op that produced it, instead of seeing a newer value. Kept copies, leaves and no-grad
/// results are never released.
/// </summary>
public class MemoryRuleTests
{
    /// <summary>Each test starts (and leaves) an empty tape, so the tape positions it names are its own.</summary>
    [SetUp]
    [TearDown]
    public void ReleaseTheTape() => Tape.Current.Release();

    [Test]
    public void DataHeldAcrossStepsThrowsOnReadAndWriteNamingTheOp()
    {
        var net = new TinyNet(seed: 1);
        var step = net.Step();
        var held = step.Prediction.Data; // the output of linear at tape position 2
        float value = held[0, 0];
        Assert.That(held.ToArray(), Is.EqualTo(step.Prediction.Data.ToArray()));

        net.Step(); // the next forward pass releases the first step's generation
        AssertReleased(() => _ = held[0, 0], "linear at tape position 2");
        AssertReleased(() => held[0, 0] = 1f, "linear at tape position 2");
        AssertReleased(() => held.Span.Fill(1f), "linear");
        AssertReleased(() => _ = held.ReadOnlySpan[0], "linear");
        AssertReleased(() => held.ToString(), "linear");
        AssertReleased(() => held.Clone(), "linear");
        AssertReleased(() => held.CopyTo(new Tensor<float>(held.Shape)), "linear");
        AssertReleased(() => new Tensor<float>(held.Shape).CopyTo(held), "linear");
        AssertReleased(() => Tensor.Add(held, held), "linear");
        AssertReleased(() => (Var<float>.Constant(held) * 2f).Sum(), "linear");
        Assert.That(held.Shape, Is.EqualTo(new Shape(TinyNet.Batch, 1)), "the shape stays readable");

        net.Step(); // two steps on, the object still does not alias the newest prediction
        AssertReleased(() => _ = held[0, 0], "linear at tape position 2");
        Assert.That(value, Is.Not.NaN);
    }

    [Test]
    public void AHeldLossThrowsInsteadOfShowingALaterLoss()
    {
        var net = new TinyNet(seed: 2);
        var loss = net.Step().Loss.Data;
        float first = loss.Item();
        net.Step();
        net.Step();
        AssertReleased(() => loss.Item(), "mean at tape position 5");
        Assert.That(first, Is.GreaterThan(0f));
    }

    [Test]
    public void ViewsOfAReleasedTensorAreReleasedToo()
    {
        var net = new TinyNet(seed: 3);
        var step = net.Forward();
        var flat = step.Hidden.Data.Reshape(-1);
        var rows = step.Hidden.Data.SliceRows(1, 2);
        var viewOfView = rows.Reshape(-1);
        var reshaped = step.Hidden.Reshape(-1).Data; // the reshape op's own output (a view of relu's)
        Assert.That(flat[0], Is.EqualTo(step.Hidden.Data[0, 0]));
        Assert.That(reshaped[1], Is.EqualTo(step.Hidden.Data[0, 1]));
        net.FinishStep();

        net.Step();
        AssertReleased(() => _ = flat[0], "a view of the output of relu at tape position 1");
        AssertReleased(() => rows[0, 0] = 5f, "a view of the output of relu at tape position 1");
        AssertReleased(() => _ = viewOfView[0], "relu at tape position 1");
        AssertReleased(() => _ = reshaped[0], "reshape at tape position 6");
    }

    [Test]
    public void RetainedGradientHeldAcrossStepsThrows()
    {
        var net = new TinyNet(seed: 4);
        var step = net.Step(retainHiddenGrad: true);
        var grad = step.Hidden.Grad!;
        var expected = grad.ToArray();
        Assert.That(expected.Any(g => g != 0f), Is.True);

        net.Step();
        AssertReleased(() => _ = grad[0, 0], "the gradient of the output of relu at tape position 1");
        AssertReleased(() => grad.Fill(0f), "relu");
    }

    [Test]
    public void GradientSeenByAHookThrowsOnceReleased()
    {
        var net = new TinyNet(seed: 5);
        Tensor<float>? seen = null;
        net.Step(hook: g =>
        {
            seen = g;
            return null;
        });
        Assert.That(seen!.ToArray().Any(v => v != 0f), Is.True);
        net.Step();
        AssertReleased(() => _ = seen[0, 0], "relu at tape position 1");
    }

    [Test]
    public void ALeafHookSeesEachPassGradientInItsOwnTensor()
    {
        var w = Var<double>.Parameter(Tensor.FromArray([1.0, 2.0]), "w");
        var seen = new List<Tensor<double>>();
        w.RegisterHook(g =>
        {
            seen.Add(g);
            return null;
        });
        var h = w * 3.0;
        h.Sum().Backward(retainGraph: true);
        (h * 2.0).Sum().Backward(retainGraph: true);
        Assert.That(seen[0].ToArray(), Is.EqualTo(new[] { 3.0, 3.0 }), "the second pass must not overwrite the first pass's tensor");
        Assert.That(seen[1].ToArray(), Is.EqualTo(new[] { 6.0, 6.0 }));
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(new[] { 9.0, 9.0 }));

        Tape.Current.Release();
        AssertReleased(() => _ = seen[0][0], "gradient of 'w'");
    }

    [Test]
    public void ClonesLeavesAndNoGradResultsAreNeverReleased()
    {
        var net = new TinyNet(seed: 6);
        var step = net.Step();
        var clone = step.Prediction.Data.Clone();
        var snapshot = clone.ToArray();
        var weight = net.W1.Data;
        var weightGrad = net.W1.Grad!;
        Tensor<float> evaluated;
        using (Tape.NoGrad())
        {
            evaluated = net.Forward().Prediction.Data;
        }

        var evaluatedSnapshot = evaluated.ToArray();
        for (int i = 0; i < 4; i++)
        {
            net.Step();
        }

        Assert.That(clone.ToArray(), Is.EqualTo(snapshot));
        Assert.That(evaluated.ToArray(), Is.EqualTo(evaluatedSnapshot));
        Assert.That(weight.ToArray(), Is.EqualTo(net.W1.Data.ToArray()), "a parameter's tensor is the parameter, updated in place");
        Assert.That(weightGrad.ToArray(), Is.EqualTo(net.W1.Grad!.ToArray()));
    }

    [Test]
    public void WritingThroughAStaleActivationCannotChangeALaterUpdate()
    {
        bool threw = false;
        float[][] Train(bool meddle)
        {
            var net = new TinyNet(seed: 7);
            var hidden = net.Step().Hidden.Data;
            net.Step();
            net.Forward(); // the write below lands between this forward pass and its backward (where,
                           // before the rule, the stale object was some tensor of this step)
            if (meddle)
            {
                try
                {
                    hidden.Fill(1000f);
                }
                catch (InvalidOperationException)
                {
                    threw = true;
                }
            }

            net.FinishStep();
            net.Step();
            return [net.W1.Data.ToArray(), net.B1.Data.ToArray(), net.W2.Data.ToArray(), net.B2.Data.ToArray()];
        }

        Assert.That(Train(meddle: true), Is.EqualTo(Train(meddle: false)), "the stale write changed the parameters");
        Assert.That(threw, Is.True, "the stale write must throw");
    }

    [Test]
    public void RetainGraphKeepsValuesUntilReleaseAndThenTheyThrow()
    {
        var w = Var<double>.Parameter(Tensor.FromArray([1.0, 2.0]), "w");
        var h = (w * 3.0).Tanh();
        var held = h.Data;
        var expected = held.ToArray();
        h.Sum().Backward(retainGraph: true);
        _ = (w * 2.0).Sum(); // not consumed: further ops join the same generation
        (h * h).Sum().Backward(retainGraph: true);
        Assert.That(held.ToArray(), Is.EqualTo(expected));
        Assert.That(h.Data.ToArray(), Is.EqualTo(expected));

        Tape.Current.Release();
        AssertReleased(() => _ = held[0], "tanh at tape position 1");
        Assert.Throws<InvalidOperationException>(() => _ = h.Data);
    }

    [Test]
    public void AStaleVarNamesItsOpAndDoesNotAliasANewerValue()
    {
        var net = new TinyNet(seed: 8);
        var first = net.Step().Prediction;
        var second = net.Step().Prediction;
        var ex = Assert.Throws<InvalidOperationException>(() => _ = first.Shape);
        Assert.That(ex!.Message, Does.Contain("linear (#2)").And.Contain("released"));
        Assert.Throws<InvalidOperationException>(() => first.Item());
        Assert.That(second.Data.Shape, Is.EqualTo(new Shape(TinyNet.Batch, 1)));
        Assert.That(first.ToString(), Does.Contain("released"));
    }

    [Test]
    public void OnlyACallersRentedTensorCanBeReturnedAndThenItIsReleased()
    {
        var net = new TinyNet(seed: 9);
        var prediction = net.Forward().Prediction.Data;
        var ex = Assert.Throws<InvalidOperationException>(() => ((IPooledTensor)prediction).ReturnToPool());
        Assert.That(ex!.Message, Does.Contain("tape"));
        Assert.That(prediction.IsReleased, Is.False);

        var rented = TensorPool<float>.Rent(new Shape(3, 2), clear: true);
        var view = rented.SliceRows(1, 1);
        rented[0, 0] = 4f;
        Assert.That(view.ToArray(), Is.EqualTo(new[] { 0f, 0f }));
        ((IPooledTensor)rented).ReturnToPool();
        Assert.That(rented.IsReleased && view.IsReleased, Is.True);
        Assert.Throws<ReleasedTensorException>(() => _ = rented[0, 0]);
        Assert.Throws<ReleasedTensorException>(() => view.Fill(1f));
        Assert.Throws<InvalidOperationException>(() => ((IPooledTensor)rented).ReturnToPool());
        var next = TensorPool<float>.Rent(new Shape(3, 2), clear: false);
        Assert.That(next, Is.Not.SameAs(rented), "a returned object the caller holds is never handed out again");
    }

    private static void AssertReleased(Action use, string producer)
    {
        var ex = Assert.Catch<ObjectDisposedException>(use, "using a released tensor must throw");
        Assert.That(ex!.Message, Does.Contain(producer).And.Contain("Clone()"));
    }

    /// <summary>y = W2·relu(W1·x + b1) + b2 against a fixed target, mean squared error, plain SGD.
    /// Tape positions: linear #0, relu #1, linear #2, sub #3, square #4, mean #5.</summary>
    private sealed class TinyNet
    {
        public const int Batch = 4;
        private readonly Var<float> _x;
        private readonly Var<float> _target;

        public TinyNet(int seed)
        {
            var random = new SeededRandom((ulong)seed);
            W1 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(5, 3), std: 0.5), "w1");
            B1 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(5), std: 0.1), "b1");
            W2 = Var<float>.Parameter(Tensor.RandomNormal<float>(random, new Shape(1, 5), std: 0.5), "w2");
            B2 = Var<float>.Parameter(Tensor.Zeros<float>(1), "b2");
            _x = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(Batch, 3)));
            _target = Var<float>.Constant(Tensor.RandomNormal<float>(random, new Shape(Batch, 1)));
        }

        public Var<float> W1 { get; }

        public Var<float> B1 { get; }

        public Var<float> W2 { get; }

        public Var<float> B2 { get; }

        private Var<float>[] Parameters => [W1, B1, W2, B2];

        private (Var<float> Hidden, Var<float> Prediction, Var<float> Loss) _pending;

        public (Var<float> Hidden, Var<float> Prediction, Var<float> Loss) Forward()
        {
            foreach (var p in Parameters)
            {
                p.ZeroGrad();
            }

            var hidden = Ops.Linear(_x, W1, B1).Relu();
            var prediction = Ops.Linear(hidden, W2, B2);
            var loss = (prediction - _target).Square().Mean();
            _pending = (hidden, prediction, loss);
            return _pending;
        }

        public (Var<float> Hidden, Var<float> Prediction, Var<float> Loss) FinishStep()
        {
            _pending.Loss.Backward();
            foreach (var p in Parameters)
            {
                var data = p.Data.Span;
                var grad = p.Grad!.ReadOnlySpan;
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] -= 0.1f * grad[i];
                }
            }

            return _pending;
        }

        public (Var<float> Hidden, Var<float> Prediction, Var<float> Loss) Step(bool retainHiddenGrad = false, Func<Tensor<float>, Tensor<float>?>? hook = null)
        {
            var step = Forward();
            if (retainHiddenGrad)
            {
                step.Hidden.RetainGrad();
            }

            if (hook is not null)
            {
                step.Hidden.RegisterHook(hook);
            }

            return FinishStep();
        }
    }
}
