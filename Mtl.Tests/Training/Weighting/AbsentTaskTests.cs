using Mtl.Tests.Training.Trainer;
using Mtl.Training;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>
/// A task with no labelled rows in a batch has no gradient to offer: it leaves the combination instead of
/// pulling MGDA to the zero vector or halving CAGrad's mean.
/// </summary>
public class AbsentTaskTests
{
    private static readonly double[] G = [0.6, -1.2, 0.3, 2.0];
    private static readonly double[] Zero = new double[4];

    [TestCase(MgdaNormalization.None, false)]
    [TestCase(MgdaNormalization.L2, false)]
    [TestCase(MgdaNormalization.None, true)]
    public void MgdaOfATaskAndAnAbsentTaskIsTheTasksGradient(MgdaNormalization normalization, bool scale)
    {
        var mgda = new MgdaCombiner(new MgdaOptions(normalization, ScaleByTaskCount: scale));
        Assert.That(mgda.Combine([G, Zero]), Is.EqualTo(G).Within(1e-15));
        Assert.That(mgda.Combine([Zero, G]), Is.EqualTo(G).Within(1e-15));
        Assert.That(mgda.LastWeights, Is.EqualTo(new[] { 0.0, 1.0 }));
        Assert.That(mgda.Combine([Zero, Zero]), Is.EqualTo(Zero));
    }

    [Test]
    public void CAGradOfATaskAndAnAbsentTaskIsTheOneTaskProblem()
    {
        // c = 0 is the mean gradient of the tasks present: g, not g/2.
        Assert.That(new CAGradCombiner(new CAGradOptions(C: 0)).Combine([G, Zero]), Is.EqualTo(G).Within(1e-15));

        // With one task the ball's best point is g·(1 + c), and the rescale 1/(1 + c) gives g back.
        Assert.That(new CAGradCombiner(new CAGradOptions(C: 0.5, Rescale: CAGradRescale.OnePlusC)).Combine([Zero, G]), Is.EqualTo(G).Within(1e-15));
        var defaults = new CAGradCombiner();
        Assert.That(defaults.Combine([G, Zero]), Is.EqualTo(defaults.Combine([G])).Within(1e-15));
        Assert.That(defaults.LastWeights, Is.EqualTo(new[] { 1.0 }));
    }

    [Test]
    public void PCGradIgnoresAnAbsentTask()
    {
        double[] h = [-0.5, 0.4, 0.1, -1.0];
        Assert.That(new PCGradCombiner(3).Combine([G, Zero, h]), Is.EqualTo(new PCGradCombiner(3).Combine([G, h])).Within(1e-15));
    }

    [Test]
    public void TheTrainerLeavesAnUnlabelledTaskOutOfMgdaAndReportsItsRows()
    {
        // Task b has no labelled row in the (single) batch: the trunk must still learn task a.
        double[] noB = [0, 0, 0, 0];
        var model = TinyTwoTask.Model<double>();
        var before = TinyTwoTask.Values.Of(model);
        var sgd = new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = 0.1 });
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), sgd, new TrainerOptions<double>
        {
            Epochs = 1,
            BatchSize = TinyTwoTask.Rows,
            GradientCombiner = new MgdaCombiner(),
        });

        var history = trainer.Fit(TinyTwoTask.Data<double>(noB));

        var (_, ga, ha) = TinyTwoTask.Gradients(before, 0);
        var after = TinyTwoTask.Values.Of(model);
        for (int i = 0; i < 4; i++)
        {
            Assert.That(after.W[i], Is.EqualTo(before.W[i] - (0.1 * ga[i])).Within(1e-14), $"W[{i}]: MGDA of task a alone is ∇L_a");
        }

        Assert.That(after.V[0][0], Is.EqualTo(before.V[0][0] - (0.1 * ha[0])).Within(1e-14));
        Assert.That(after.V[1], Is.EqualTo(before.V[1]), "task b's head has nothing to learn from");
        Assert.That(history.Epochs[0].TrainRows["a"], Is.EqualTo(4));
        Assert.That(history.Epochs[0].TrainRows["b"], Is.EqualTo(0));
    }

    [Test]
    public void StepReportsCountTheLabelledRowsOfEachTask()
    {
        // Batches of 2 in a fixed order (no shuffle is offered, so read the rows from the report).
        double[] maskB = [1, 0, 0, 1];
        var model = TinyTwoTask.Model<double>();
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = 0.01 }), new TrainerOptions<double>
        {
            Epochs = 2,
            BatchSize = 2,
            Seed = 5,
            GradientCombiner = new CAGradCombiner(),
        });
        var steps = new List<StepReport>();
        trainer.StepEnded += steps.Add;

        var history = trainer.Fit(TinyTwoTask.Data<double>(maskB));

        Assert.That(steps, Has.Count.EqualTo(4));
        Assert.That(steps.All(s => s.LabelledRows["a"] == 2));
        Assert.That(steps.Where(s => s.Epoch == 1).Sum(s => s.LabelledRows["b"]), Is.EqualTo(2));
        Assert.That(steps.Where(s => s.LabelledRows["b"] == 0).All(s => !s.Losses.ContainsKey("b")), "an absent task has no loss in the step");
        Assert.That(history.Epochs.Select(e => e.TrainRows["b"]), Is.EqualTo(new[] { 2L, 2L }));
        Assert.That(history.Epochs.Select(e => e.TrainRows["a"]), Is.EqualTo(new[] { 4L, 4L }));
    }

    [Test]
    public void GradNormTunesTheTasksPresentAndRecordsEachInitialLossAtItsFirstStep()
    {
        // Task b is labelled on row 3 only: in batches of 2 it sits out every other step (GradNorm used to fail
        // on its loss of 0, which has no ratio L(t)/L(0)).
        var model = TinyTwoTask.Model<double>();
        var gradNorm = new GradNorm<double>(["a", "b"], alpha: 1.0);
        var sgd = new Sgd<double>(model.NamedParameters().Concat(gradNorm.NamedParameters()), new SgdOptions { LearningRate = 0.05 });
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), sgd, new TrainerOptions<double> { Epochs = 3, BatchSize = 2, Seed = 1, Weighting = gradNorm });
        var steps = new List<StepReport>();
        trainer.StepEnded += steps.Add;

        trainer.Fit(TinyTwoTask.Data<double>([0, 0, 0, 1]));

        var firstWithB = steps.First(s => s.LabelledRows["b"] > 0);
        Assert.That(steps.Any(s => s.LabelledRows["b"] == 0));
        Assert.That(gradNorm.InitialLosses![0], Is.EqualTo(steps[0].Losses["a"]));
        Assert.That(gradNorm.InitialLosses![1], Is.EqualTo(firstWithB.Losses["b"]));
        Assert.That(gradNorm.Weights.Sum(), Is.EqualTo(2.0).Within(1e-12));
        Assert.That(gradNorm.Weights[0], Is.Not.EqualTo(1.0));
    }
}
