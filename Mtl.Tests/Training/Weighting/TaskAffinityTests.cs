using Mtl.Tests.Training.Trainer;
using Mtl.Training;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>
/// Task affinity by lookahead (Fifty et al. 2021, TAG): Zᵢ→ⱼ = 1 − Lⱼ(θ − η·∇_θLᵢ) / Lⱼ(θ) on the shared
/// parameters θ, measured on training batches and averaged per epoch.
/// </summary>
public class TaskAffinityTests
{
    private const double Lr = 0.1;

    private static Trainer<double> TrainerFor(Mtl.Layers.MultiTaskModel<double> model, int interval, IGradientCombiner? combiner = null, int batchSize = 4) =>
        new(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = Lr }), new TrainerOptions<double>
        {
            Epochs = 1,
            BatchSize = batchSize,
            TaskAffinityInterval = interval,
            GradientCombiner = combiner,
        });

    /// <summary>
    /// By hand on the tiny problem (one batch of all four rows): each task's loss and shared gradient from
    /// <see cref="TinyTwoTask.Gradients"/>, the shared layer stepped by η·gᵢ, both losses again.
    /// </summary>
    [Test]
    public void AffinityEqualsTheHandComputedLookahead()
    {
        var model = TinyTwoTask.Model<double>();
        var p = TinyTwoTask.Values.Of(model);
        var history = TrainerFor(model, interval: 1).Fit(TinyTwoTask.Data<double>());
        var report = history.Epochs[0].Affinity!;

        var expected = new double[2, 2];
        for (int i = 0; i < 2; i++)
        {
            var g = TinyTwoTask.Gradients(p, i).Shared;
            var stepped = p with
            {
                W = [.. p.W.Select((w, k) => w - (Lr * g[k]))],
                Bias = [.. p.Bias.Select((b, k) => b - (Lr * g[4 + k]))],
            };
            for (int j = 0; j < 2; j++)
            {
                expected[i, j] = 1 - (TinyTwoTask.Gradients(stepped, j).Loss / TinyTwoTask.Gradients(p, j).Loss);
            }
        }

        Assert.That(report.Tasks, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(report.Steps, Is.EqualTo(1));
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 2; j++)
            {
                Assert.That(report.Of(i, j), Is.EqualTo(expected[i, j]).Within(1e-12), $"Z({i}→{j})");
            }
        }

        // The tasks' targets are near negatives of each other: a step for one lowers its own loss and raises the other's.
        Assert.That(report.Of(0, 0), Is.GreaterThan(0));
        Assert.That(report.Of(1, 1), Is.GreaterThan(0));
        Assert.That(report.Of(0, 1), Is.LessThan(0));
        Assert.That(report.Of(1, 0), Is.LessThan(0));
        Assert.That(report.ToString(), Does.Contain("task affinity").And.Contain(report.Of(0, 1).ToString("F4", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>Measuring restores the parameters bit for bit and draws no random numbers: with PCGrad (which
    /// computes the per-task gradients anyway, and draws a random order) the trained model is identical.</summary>
    [Test]
    public void MeasuringDoesNotChangeTraining()
    {
        var plain = TinyTwoTask.Model<double>();
        var measured = TinyTwoTask.Model<double>();
        TrainerFor(plain, interval: 0, new PCGradCombiner(seed: 5), batchSize: 2).Fit(TinyTwoTask.Data<double>());
        var history = TrainerFor(measured, interval: 1, new PCGradCombiner(seed: 5), batchSize: 2).Fit(TinyTwoTask.Data<double>());

        Assert.That(history.Epochs[0].Affinity!.Steps, Is.EqualTo(2));
        var a = plain.NamedParameters().ToArray();
        var b = measured.NamedParameters().ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.That(b[i].Value.Data.ToArray(), Is.EqualTo(a[i].Value.Data.ToArray()), a[i].Key);
        }
    }

    [Test]
    public void TheIntervalChoosesTheMeasuredSteps()
    {
        // Four batches of one row: steps 0 and 2 are measured with an interval of 2.
        var history = TrainerFor(TinyTwoTask.Model<double>(), interval: 2, batchSize: 1).Fit(TinyTwoTask.Data<double>());
        Assert.That(history.Epochs[0].Affinity!.Steps, Is.EqualTo(2));

        var off = TrainerFor(TinyTwoTask.Model<double>(), interval: 0).Fit(TinyTwoTask.Data<double>());
        Assert.That(off.Epochs[0].Affinity, Is.Null);
    }

    [Test]
    public void ATaskWithoutLabelsHasNoAffinity()
    {
        var history = TrainerFor(TinyTwoTask.Model<double>(), interval: 1).Fit(TinyTwoTask.Data<double>(maskB: [0, 0, 0, 0]));
        var report = history.Epochs[0].Affinity!;
        Assert.That(report.Of(0, 0), Is.GreaterThan(0));
        Assert.That(double.IsNaN(report.Of(0, 1)) && double.IsNaN(report.Of(1, 0)) && double.IsNaN(report.Of(1, 1)), Is.True);
    }

    [Test]
    public void SettingsThatCannotMeasureAreRejected()
    {
        Assert.That(() => new TrainerOptions<double> { TaskAffinityInterval = -1 }.Validate(), Throws.ArgumentException.With.Message.Contains("TaskAffinityInterval"));
        Assert.That(
            () => new TrainerOptions<double> { TaskAffinityInterval = 1, TaskGradients = TaskGradientSpace.Representation }.Validate(),
            Throws.ArgumentException.With.Message.Contains("Representation"));
    }
}
