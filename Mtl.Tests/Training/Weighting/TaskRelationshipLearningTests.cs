using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Tests.Training.Trainer;
using Mtl.Training;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>Multi-task relationship learning: the closed-form task covariance, the regulariser and its gradient, training.</summary>
public class TaskRelationshipLearningTests
{
    private static (TaskRelationshipLearning<double> Mtrl, Var<double> A, Var<double> B) TwoHeads(double[] a, double[] b, double lambda = 1, double epsilon = 1e-6)
    {
        var wa = Var<double>.Parameter(Tensor.FromArray(a, 1, a.Length), "wa");
        var wb = Var<double>.Parameter(Tensor.FromArray(b, 1, b.Length), "wb");
        return (new TaskRelationshipLearning<double>([("a", wa), ("b", wb)], lambda, epsilon), wa, wb);
    }

    /// <summary>
    /// wa = (1, 0), wb = (1, 1): WᵀW = [[1, 1], [1, 2]], whose square root by the 2×2 formula (A + √det·I)/√(tr + 2√det)
    /// is [[2, 1], [1, 3]]/√5, of trace √5; so Ω = [[2, 1], [1, 3]]/5 and ρ = (1/5)/√(2/5 · 3/5) = 1/√6.
    /// </summary>
    [Test]
    public void TheCovarianceIsTheClosedFormByHand()
    {
        var (mtrl, _, _) = TwoHeads([1, 0], [1, 1]);
        Assert.That(mtrl.Covariance, Is.EqualTo(new double[,] { { 0.5, 0 }, { 0, 0.5 } }), "Ω starts at I/T");
        mtrl.UpdateCovariance();
        Assert.That(mtrl.Covariance, Is.EqualTo(new double[,] { { 0.4, 0.2 }, { 0.2, 0.6 } }).Within(1e-14));
        Assert.That(mtrl.Correlation[0, 1], Is.EqualTo(1 / Math.Sqrt(6)).Within(1e-14));
        Assert.That(mtrl.Correlation[1, 0], Is.EqualTo(1 / Math.Sqrt(6)).Within(1e-14));
        Assert.That(mtrl.Correlation[0, 0], Is.EqualTo(1).Within(1e-14));
    }

    [Test]
    public void OpposedHeadsAreAntiCorrelated()
    {
        var (mtrl, _, _) = TwoHeads([1, -2, 0.5], [-2, 4, -1]);
        mtrl.UpdateCovariance();
        Assert.That(mtrl.Correlation[0, 1], Is.EqualTo(-1).Within(1e-7));
    }

    /// <summary>With Ω = [[0.4, 0.2], [0.2, 0.6]], Ω⁻¹ = [[3, −1], [−1, 2]]: λ/2·(3·wa·wa − 2·wa·wb + 2·wb·wb) = λ/2·(3 − 2 + 4).</summary>
    [Test]
    public void ThePenaltyIsTheTraceByHand()
    {
        var (mtrl, _, _) = TwoHeads([1, 0], [1, 1], lambda: 0.3, epsilon: 1e-13);
        Assert.That(mtrl.Penalty().Item(), Is.EqualTo(0.3 / 2 * 2 * 3).Within(1e-10), "at Ω = I/2 it is weight decay (λT/2)·Σ‖w‖²");
        mtrl.UpdateCovariance();
        Assert.That(mtrl.Penalty().Item(), Is.EqualTo(0.3 / 2 * 5).Within(1e-10));
    }

    [Test]
    public void ThePenaltyGradchecks()
    {
        var (mtrl, a, b) = TwoHeads([0.3, -1.2, 0.7], [0.5, 0.4, -0.9], lambda: 0.7);
        mtrl.UpdateCovariance();
        var report = GradCheck.Run(mtrl.Penalty, [a, b]);
        Assert.That(report.Passed, Is.True, report.ToString());
    }

    /// <summary>
    /// On the tiny problem, task b's targets are roughly the negatives of task a's: the heads learn to point in opposite
    /// directions and MTRL reads a negative correlation. Given task a's targets for both tasks instead, the heads fit
    /// the same function and the correlation goes towards +1. The state survives a checkpoint.
    /// </summary>
    [Test]
    public void TrainingLearnsTheSignOfTheRelation()
    {
        TaskRelationshipLearning<double> Train(bool sameTargets)
        {
            var model = TinyTwoTask.Model<double>();
            var mtrl = TaskRelationshipLearning<double>.ForHeads(model, lambda: 1e-3);
            var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = 0.05 }), new TrainerOptions<double>
            {
                Epochs = 1000,
                BatchSize = TinyTwoTask.Rows,
                Method = mtrl,
            });
            var data = TinyTwoTask.Data<double>();
            if (sameTargets)
            {
                data.Tasks[0].Values!.ReadOnlySpan.CopyTo(data.Tasks[1].Values!.Span);
            }

            trainer.Fit(data);
            return mtrl;
        }

        var opposed = Train(sameTargets: false);
        var same = Train(sameTargets: true);
        TestContext.Out.WriteLine($"ρ opposed {opposed.Correlation[0, 1]}, same {same.Correlation[0, 1]}");
        // After 1000 steps neither has converged (-0.40 and +0.89 here); the signs and the gap are what is learned.
        Assert.That(opposed.Correlation[0, 1], Is.LessThan(0));
        Assert.That(same.Correlation[0, 1], Is.GreaterThan(0));
        Assert.That(same.Correlation[0, 1] - opposed.Correlation[0, 1], Is.GreaterThan(1));

        var state = new MethodState();
        opposed.SaveState(state);
        var copy = TaskRelationshipLearning<double>.ForHeads(TinyTwoTask.Model<double>(), lambda: 1e-3);
        copy.LoadState(state);
        Assert.That(copy.Covariance, Is.EqualTo(opposed.Covariance));
    }

    [Test]
    public void HeadsOfDifferentShapesAreRejectedByName()
    {
        var wa = Var<double>.Parameter(new Tensor<double>(1, 3), "wa");
        var wb = Var<double>.Parameter(new Tensor<double>(2, 3), "wb");
        var error = Assert.Throws<ArgumentException>(() => _ = new TaskRelationshipLearning<double>([("a", wa), ("b", wb)], 1));
        Assert.That(error!.Message, Does.Contain("'a' has [1, 3]").And.Contain("'b' has [2, 3]"));
    }
}
