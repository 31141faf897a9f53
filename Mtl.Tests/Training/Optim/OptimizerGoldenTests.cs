using System.Numerics;
using System.Reflection;
using Mtl.Autograd;
using Mtl.Tests.Training.Optim.Golden;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;

namespace Mtl.Tests.Training.Optim;

/// <summary>
/// Trajectories of every optimizer, schedule and clipping against PyTorch's, from
/// Golden/optim_goldens.py (its output is Golden/OptimGoldens.cs). float32 must agree to 1e-6
/// relative (a few float ulps of reordered rounding), float64 to 1e-12.
/// </summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class OptimizerGoldenTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static bool IsFloat => typeof(T) == typeof(float);

    [Test]
    public void Sgd() => Check("Sgd", p => new Sgd<T>(p.Named, new SgdOptions { LearningRate = 0.1 }));

    [Test]
    public void SgdMomentumWithDampening() =>
        Check("SgdMomentum", p => new Sgd<T>(p.Named, new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Dampening = 0.1 }));

    [Test]
    public void SgdNesterov() =>
        Check("SgdNesterov", p => new Sgd<T>(p.Named, new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true }));

    [Test]
    public void SgdWeightDecay() =>
        Check("SgdWeightDecay", p => new Sgd<T>(p.Named, new SgdOptions { LearningRate = 0.1, Momentum = 0.5, WeightDecay = 0.05 }));

    [Test]
    public void Adam() => Check("Adam", p => new Adam<T>(p.Named, new AdamOptions { LearningRate = 0.1 }));

    [Test]
    public void AdamL2WeightDecayAmsgrad() =>
        Check("AdamL2Amsgrad", p => new Adam<T>(p.Named, new AdamOptions
        {
            LearningRate = 0.05, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.1, Amsgrad = true,
        }));

    [Test]
    public void AdamW() => Check("AdamW", p => new AdamW<T>(p.Named, AdamW<T>.DefaultOptions with { LearningRate = 0.1, WeightDecay = 0.1 }));

    [Test]
    public void AdamWAmsgrad() =>
        Check("AdamWAmsgrad", p => new AdamW<T>(p.Named, new AdamOptions { LearningRate = 0.1, WeightDecay = 0.05, Amsgrad = true }));

    [Test]
    public void SgdWithStepLR() =>
        Check("SgdStepLR", p => new Sgd<T>(p.Named, new SgdOptions { LearningRate = 0.2, Momentum = 0.9 }), schedule: new StepLR(2, 0.5));

    [Test]
    public void AdamWithCosineAnnealingPastTMax() =>
        Check("AdamCosine", p => new Adam<T>(p.Named, new AdamOptions { LearningRate = 0.1 }), schedule: new CosineAnnealingLR(4, 0.01), steps: 8);

    [Test]
    public void SgdWithWarmupThenCosine() =>
        Check(
            "SgdWarmupCosine",
            p => new Sgd<T>(p.Named, new SgdOptions { LearningRate = 0.1, Momentum = 0.9, Nesterov = true }),
            schedule: new LinearWarmup(3, 0.25, new CosineAnnealingLR(5)),
            steps: 8);

    [Test]
    public void SgdWithGradientClipping()
    {
        var norms = Check("SgdClip", p => new Sgd<T>(p.Named, new SgdOptions { LearningRate = 0.2 }), clip: 3.0);
        var expected = Golden("SgdClipNorms");
        Assert.That(norms, Has.Count.EqualTo(expected.Length));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(norms[i], Is.EqualTo(expected[i]).Within(Tolerance(expected[i])), $"norm before step {i + 1}");
        }

        Assert.That(norms[0], Is.GreaterThan(3.0), "the first steps must be clipped");
        Assert.That(norms[^1], Is.LessThan(3.0), "the last steps must not be clipped");
    }

    [Test]
    public void AdamWithTwoParameterGroups() =>
        Check("AdamGroups", p => new Adam<T>(
        [
            new ParameterGroup<T, AdamOptions>([new("p1", p.P1)], new AdamOptions { LearningRate = 0.01 }),
            new ParameterGroup<T, AdamOptions>([new("p2", p.P2)], new AdamOptions { LearningRate = 0.1, Beta1 = 0.5, Beta2 = 0.9 }),
        ]));

    private static List<double> Check(string name, Func<QuadraticProblem<T>, Optimizer<T>> make, ILearningRateSchedule? schedule = null, double? clip = null, int steps = 6)
    {
        var problem = new QuadraticProblem<T>();
        var optimizer = make(problem);
        var scheduler = schedule is null ? null : new LearningRateScheduler<T>(optimizer, schedule);
        var trajectory = new List<double>();
        var norms = new List<double>();
        for (int s = 0; s < steps; s++)
        {
            problem.SetGradients();
            if (clip is { } maxNorm)
            {
                norms.Add(double.CreateTruncating(GradientClipping.ClipGradNorm(optimizer, maxNorm)));
            }

            optimizer.Step();
            problem.AppendValues(trajectory);
            scheduler?.Step();
        }

        var expected = Golden(name);
        Assert.That(trajectory, Has.Count.EqualTo(expected.Length));
        int perStep = expected.Length / steps;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(trajectory[i], Is.EqualTo(expected[i]).Within(Tolerance(expected[i])), $"{name}: step {(i / perStep) + 1}, element {i % perStep}");
        }

        return norms;
    }

    private static double Tolerance(double expected) => IsFloat ? (1e-6 * Math.Abs(expected)) + 1e-7 : (1e-12 * Math.Abs(expected)) + 1e-14;

    private static double[] Golden(string name)
    {
        string field = name + (IsFloat ? "F32" : "F64");
        return (double[])typeof(OptimGoldens).GetField(field, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;
    }
}
