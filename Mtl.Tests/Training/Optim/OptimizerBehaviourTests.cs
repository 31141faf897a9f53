using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Optim;

namespace Mtl.Tests.Training.Optim;

/// <summary>Argument validation, parameter groups, skipping, and allocation-free steps.</summary>
public class OptimizerBehaviourTests
{
    private static Var<float> P(params float[] values) => Var<float>.Parameter(Tensor.FromArray<float>(values, values.Length));

    [Test]
    public void HyperParametersAreValidatedWhenSet()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SgdOptions { LearningRate = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SgdOptions { LearningRate = double.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SgdOptions { Momentum = -0.5 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SgdOptions { WeightDecay = -1e-4 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new AdamOptions { Beta1 = 1.0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new AdamOptions { Beta2 = -0.1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new AdamOptions { Epsilon = -1e-8 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new AdamOptions() with { LearningRate = -1 });
    }

    [Test]
    public void DefaultsAreTorchs()
    {
        var adam = new AdamOptions();
        Assert.That((adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.WeightDecay, adam.Amsgrad), Is.EqualTo((1e-3, 0.9, 0.999, 1e-8, 0.0, false)));
        Assert.That(AdamW<float>.DefaultOptions.WeightDecay, Is.EqualTo(0.01));
    }

    [Test]
    public void NesterovNeedsMomentumAndNoDampening()
    {
        var p = P(1f);
        var ex = Assert.Throws<ArgumentException>(() => _ = new Sgd<float>([new("p", p)], new SgdOptions { Nesterov = true }));
        Assert.That(ex!.Message, Does.Contain("Nesterov"));
        Assert.Throws<ArgumentException>(() => _ = new Sgd<float>([new("p", p)], new SgdOptions { Nesterov = true, Momentum = 0.9, Dampening = 0.1 }));
        Assert.DoesNotThrow(() => _ = new Sgd<float>([new("p", p)], new SgdOptions { Nesterov = true, Momentum = 0.9 }));
    }

    [Test]
    public void GroupsRejectDuplicatesAndEmptiness()
    {
        var a = P(1f);
        var b = P(2f);
        var o = new SgdOptions();
        var ex = Assert.Throws<ArgumentException>(() => _ = new Sgd<float>(
        [
            new ParameterGroup<float, SgdOptions>([new("a", a)], o),
            new ParameterGroup<float, SgdOptions>([new("a2", a)], o),
        ]));
        Assert.That(ex!.Message, Does.Contain("more than once"));
        ex = Assert.Throws<ArgumentException>(() => _ = new Sgd<float>([new("x", a), new("x", b)], o));
        Assert.That(ex!.Message, Does.Contain("two parameters are named 'x'"));
        Assert.Throws<ArgumentException>(() => _ = new Sgd<float>(Array.Empty<ParameterGroup<float, SgdOptions>>()));
        Assert.Throws<ArgumentException>(() => _ = new Sgd<float>(Array.Empty<KeyValuePair<string, Var<float>>>(), o));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd<float>([new("a", a)], o).Groups[0].LearningRate = -1);
    }

    [Test]
    public void FrozenParametersAndParametersWithoutGradientAreSkipped()
    {
        var frozen = P(1f, 2f);
        var noGrad = P(3f);
        var live = P(4f);
        var optimizer = new Adam<float>([new("frozen", frozen), new("noGrad", noGrad), new("live", live)], new AdamOptions { LearningRate = 0.1 });
        frozen.GradSink()!.Fill(1f);
        frozen.RequiresGrad = false;
        live.GradSink()!.Fill(1f);

        optimizer.Step();

        Assert.That(frozen.Data.ToArray(), Is.EqualTo(new[] { 1f, 2f }));
        Assert.That(noGrad.Data.ToArray(), Is.EqualTo(new[] { 3f }));
        Assert.That(live.Data[0], Is.EqualTo(3.9f).Within(1e-6f));
        Assert.That(optimizer.GetState("frozen"), Is.Null);
        Assert.That(optimizer.GetState("noGrad"), Is.Null);
        Assert.That(optimizer.GetState("live")!.Step, Is.EqualTo(1));
        Assert.That(optimizer.GetState("live"), Is.TypeOf<AdamState<float>>());
        Assert.Throws<KeyNotFoundException>(() => optimizer.GetState("nope"));
    }

    [Test]
    public void ZeroGradClearsEveryGroup()
    {
        var a = P(1f);
        var b = P(2f);
        var optimizer = new Sgd<float>(
        [
            new ParameterGroup<float, SgdOptions>([new("a", a)], new SgdOptions()),
            new ParameterGroup<float, SgdOptions>([new("b", b)], new SgdOptions()),
        ]);
        a.GradSink()!.Fill(5f);
        b.GradSink()!.Fill(5f);
        optimizer.ZeroGrad();
        Assert.That(a.Grad![0] + b.Grad![0], Is.Zero);
    }

    [Test]
    public void SteadyStateStepsDoNotAllocate()
    {
        var w = Var<float>.Parameter(Tensor.RandomNormal<float>(1, 64, 33));
        var b = Var<float>.Parameter(Tensor.RandomNormal<float>(2, 33));
        Optimizer<float>[] optimizers =
        [
            new Sgd<float>([new("w", w), new("b", b)], new SgdOptions { LearningRate = 0.01, Momentum = 0.9, Nesterov = true, WeightDecay = 1e-4 }),
            new Adam<float>([new("w", w), new("b", b)], new AdamOptions { WeightDecay = 1e-4, Amsgrad = true }),
            new AdamW<float>([new("w", w), new("b", b)], AdamW<float>.DefaultOptions),
        ];
        w.GradSink()!.Fill(0.01f);
        b.GradSink()!.Fill(-0.02f);
        foreach (var optimizer in optimizers)
        {
            optimizer.Step();
            optimizer.Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++)
            {
                optimizer.Step();
            }

            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, optimizer.Name);
        }
    }

    [Test]
    public void ClippingBelowTheMaximumLeavesGradientsUntouched()
    {
        var a = P(0f, 0f);
        a.GradSink()!.Span[0] = 0.3f;
        a.GradSink()!.Span[1] = 0.4f;
        float norm = GradientClipping.ClipGradNorm([a], 1.0);
        Assert.That(norm, Is.EqualTo(0.5f).Within(1e-7f));
        Assert.That(a.Grad!.ToArray(), Is.EqualTo(new[] { 0.3f, 0.4f }));

        norm = GradientClipping.ClipGradNorm([a], 0.25);
        Assert.That(a.Grad![0], Is.EqualTo(0.3f * 0.25f / (0.5f + 1e-6f)).Within(1e-7f));
    }

    [Test]
    public void NonFiniteGradientNormThrowsWhenAsked()
    {
        var a = P(0f, 0f);
        a.GradSink()!.Span[0] = float.PositiveInfinity;
        var ex = Assert.Throws<InvalidOperationException>(() => GradientClipping.ClipGradNorm([a], 1.0, errorIfNonfinite: true));
        Assert.That(ex!.Message, Does.Contain("∞").Or.Contain("Infinity"));
        Assert.That(float.IsPositiveInfinity(GradientClipping.ClipGradNorm([a], 1.0)));
        Assert.That(float.IsNaN(a.Grad![0]), "inf·0 as in PyTorch");
    }
}
