using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Metrics;
using Mtl.Training.Optim;

namespace Mtl.Tests.Training;

/// <summary>Multi-label tasks: K binary attributes per row in one head, each attribute with its own mask.</summary>
public class MultiLabelTests
{
    private static readonly string[] Attributes = ["a0", "a1", "a2"];

    private static Tensor<double> Matrix(double[,] values)
    {
        var t = new Tensor<double>(values.GetLength(0), values.GetLength(1));
        for (int i = 0; i < values.GetLength(0); i++)
        {
            for (int j = 0; j < values.GetLength(1); j++)
            {
                t[i, j] = values[i, j];
            }
        }

        return t;
    }

    [Test]
    public void TheTargetChecksShapesValuesAndMasks()
    {
        var values = Matrix(new double[,] { { 1, 0, 1 }, { 0, 0, 0 }, { 1, 1, 0 } });
        var known = Matrix(new double[,] { { 1, 1, 1 }, { 0, 0, 0 }, { 1, 0, 1 } });
        var target = TaskTarget<double>.MultiLabel("attrs", values, Attributes, known);
        Assert.That(target.Kind, Is.EqualTo(TaskKind.MultiLabel));
        Assert.That(target.Width, Is.EqualTo(3));
        Assert.That(target.Mask.ToArray(), Is.EqualTo(new double[] { 1, 0, 1 }), "a row with no known attribute leaves the task");
        Assert.That(target.PresentCount, Is.EqualTo(2));

        Assert.That(() => TaskTarget<double>.MultiLabel("attrs", Matrix(new double[,] { { 0.5, 0, 1 } }), Attributes), Throws.ArgumentException.With.Message.Contains("row 0, attribute 'a0' is 0.5"));
        Assert.That(() => TaskTarget<double>.MultiLabel("attrs", Matrix(new double[,] { { 0.5, 0, 1 } }), Attributes, Matrix(new double[,] { { 0, 1, 1 } })), Throws.Nothing, "a missing attribute may hold anything");
        Assert.That(() => TaskTarget<double>.MultiLabel("attrs", values, ["a0", "a1"]), Throws.ArgumentException.With.Message.Contains("[N, K] with K = 2"));
        Assert.That(() => TaskTarget<double>.MultiLabel("attrs", values, Attributes, Matrix(new double[,] { { 2, 1, 1 }, { 0, 0, 0 }, { 1, 1, 1 } })), Throws.ArgumentException.With.Message.Contains("must be 0 (missing) or 1"));
        Assert.That(() => TaskTarget<double>.Regression("attrs", values, Tensor.Ones<double>(3)), Throws.ArgumentException.With.Message.Contains("TaskTarget.MultiLabel"));
    }

    [Test]
    public void BatchesCarryTheAttributeMask()
    {
        var values = Matrix(new double[,] { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 1, 0 } });
        var known = Matrix(new double[,] { { 1, 1, 0 }, { 0, 1, 0 }, { 1, 0, 1 } });
        var target = TaskTarget<double>.MultiLabel("attrs", values, Attributes, known);
        var gathered = target.Gather([2, 0]);
        Assert.That(gathered.Values!.ToArray(), Is.EqualTo(new double[] { 1, 1, 0, 1, 0, 1 }));
        Assert.That(gathered.AttributeMask!.ToArray(), Is.EqualTo(new double[] { 1, 0, 1, 1, 1, 0 }));
        Assert.That(gathered.ClassNames, Is.EqualTo(Attributes));
    }

    /// <summary>By hand: lᵢₖ = softplus(xᵢₖ) − xᵢₖ·tᵢₖ, L = Σ mᵢₖ·lᵢₖ / Σ mᵢₖ, ∂L/∂xᵢₖ = mᵢₖ·(σ(xᵢₖ) − tᵢₖ) / Σ mᵢₖ
    /// (PyTorch: (BCEWithLogitsLoss(reduction='none')(x, t) * m).sum() / m.sum()).</summary>
    [Test]
    public void MaskedAttributesAddNothingToTheLossOrItsGradient()
    {
        double[,] x = { { 0.3, -1.2, 2.0 }, { 0.7, 0.1, -0.4 }, { -2.5, 1.5, 0.0 } };
        double[,] t = { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 1, 0 } };
        double[,] m = { { 1, 1, 0 }, { 0, 0, 0 }, { 1, 0, 1 } };
        var logits = Var<double>.Parameter(Matrix(x));
        var target = TaskTarget<double>.MultiLabel("attrs", Matrix(t), Attributes, Matrix(m));
        var loss = new TrainingTask<double>("attrs", new BceWithLogitsLoss<double>()).LossOf(logits, target);
        loss.Backward();

        double sum = 0, count = 0;
        var grad = new double[3, 3];
        for (int i = 0; i < 3; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                count += m[i, k];
            }
        }

        for (int i = 0; i < 3; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                double softplus = Math.Log(1 + Math.Exp(x[i, k]));
                sum += m[i, k] * (softplus - (x[i, k] * t[i, k]));
                grad[i, k] = m[i, k] * ((1 / (1 + Math.Exp(-x[i, k]))) - t[i, k]) / count;
            }
        }

        Assert.That(loss.Item(), Is.EqualTo(sum / count).Within(1e-15));
        for (int i = 0; i < 3; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                Assert.That(logits.Grad![i, k], Is.EqualTo(grad[i, k]).Within(1e-15), $"[{i}, {k}]");
            }
        }
    }

    [Test]
    public void TheElementMaskedLossPassesGradcheck()
    {
        var x = Var<double>.Parameter(Matrix(new double[,] { { 0.3, -1.2, 2.0 }, { 0.7, 0.1, -0.4 }, { -2.5, 1.5, 0.2 } }));
        var t = Matrix(new double[,] { { 1, 0, 1 }, { 0, 1, 0 }, { 1, 1, 0 } });
        var rows = Tensor.FromArray<double>([1.0, 2.0, 0.5], 3);
        var m = Matrix(new double[,] { { 1, 1, 0 }, { 0, 1, 1 }, { 1, 0, 1 } });
        var bce = new BceWithLogitsLoss<double>(positiveWeight: Tensor.FromArray<double>([2.0, 0.5, 1.0], 3));
        var report = GradCheck.Run(() => bce.Compute(x, t, rows, m), [x]);
        Assert.That(report.Passed, Is.True, report.ToString());
        var sum = new BceWithLogitsLoss<double>(reduction: LossReduction.Sum);
        Assert.That(GradCheck.Run(() => sum.Compute(x, t, rows, m), [x]).Passed, Is.True);
    }

    [Test]
    public void NoKnownAttributeGivesAZeroLossWithAZeroGradient()
    {
        var x = Var<double>.Parameter(Matrix(new double[,] { { 0.3, double.PositiveInfinity, 2.0 } }));
        var loss = new BceWithLogitsLoss<double>().Compute(x, Matrix(new double[,] { { 1, 0, 1 } }), null, Matrix(new double[,] { { 0, 0, 0 } }));
        loss.Backward();
        Assert.That(loss.Item(), Is.EqualTo(0));
        Assert.That(x.Grad!.ToArray(), Is.All.EqualTo(0));
    }

    /// <summary>Per attribute, over its known rows; a logit &gt; 0 predicts 1. Attribute a0: known rows 0, 2, 3
    /// (targets 1, 1, 0; logits 0.5, −0.2, −1) → predicted 1, 0, 0: accuracy 2/3, TP 1, FN 1, FP 0 so F1 = 2/3,
    /// AUC: positives score 0.5 and −0.2, the negative −1, both above it, so 1.</summary>
    [Test]
    public void MetricsArePerAttributeOverItsKnownRows()
    {
        var values = Matrix(new double[,] { { 1, 0, 1 }, { 0, 1, 1 }, { 1, 1, 0 }, { 0, 0, 0 } });
        var known = Matrix(new double[,] { { 1, 1, 1 }, { 0, 1, 1 }, { 1, 1, 1 }, { 1, 1, 1 } });
        var logits = Matrix(new double[,] { { 0.5, 0.3, 2 }, { 9, -0.1, 1 }, { -0.2, 0.4, -1 }, { -1, -3, 0.5 } });
        var report = TaskMetrics.MultiLabel(TaskTarget<double>.MultiLabel("attrs", values, Attributes, known), logits);

        var a0 = report["a0"];
        Assert.That((a0.Count, a0.Positives), Is.EqualTo((3, 2)));
        Assert.That(a0.Accuracy, Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(a0.F1, Is.EqualTo(2.0 / 3).Within(1e-15));
        Assert.That(a0.RocAuc, Is.EqualTo(1.0));

        // a1: targets 0, 1, 1, 0; logits 0.3, −0.1, 0.4, −3 → predicted 1, 0, 1, 0: right 2/4; TP 1, FP 1, FN 1: F1 ½;
        // AUC: pairs (pos, neg): (−0.1, 0.3) lose, (−0.1, −3) win, (0.4, 0.3) win, (0.4, −3) win: 3/4.
        var a1 = report["a1"];
        Assert.That(a1.Accuracy, Is.EqualTo(0.5));
        Assert.That(a1.F1, Is.EqualTo(0.5));
        Assert.That(a1.RocAuc, Is.EqualTo(0.75));

        // a2: targets 1, 1, 0, 0; logits 2, 1, −1, 0.5 → predicted 1, 1, 0, 1: 3/4; TP 2, FP 1: F1 4/5; AUC 1.
        var a2 = report["a2"];
        Assert.That(a2.Accuracy, Is.EqualTo(0.75));
        Assert.That(a2.F1, Is.EqualTo(0.8).Within(1e-15));
        Assert.That(a2.RocAuc, Is.EqualTo(1.0));

        Assert.That(report.Accuracy, Is.EqualTo(((2.0 / 3) + 0.5 + 0.75) / 3).Within(1e-15));
        Assert.That(report.MacroF1, Is.EqualTo(((2.0 / 3) + 0.5 + 0.8) / 3).Within(1e-15));
        Assert.That(report.RocAuc, Is.EqualTo(2.75 / 3).Within(1e-15));
        Assert.That(() => report["nope"], Throws.TypeOf<KeyNotFoundException>().With.Message.Contains("a0, a1, a2"));
    }

    /// <summary>A class head and an attribute head on one trunk, attributes derived from the class (as in the
    /// Fashion-MNIST attributes example) and one attribute missing on half the rows; both heads learn.</summary>
    [Test]
    public void TheTrainerTrainsAClassHeadAndAnAttributeHeadTogether()
    {
        const int n = 240, classes = 4;
        var random = new SeededRandom(11);
        var x = new Tensor<float>(n, 2);
        var classOf = new int[n];
        var attributes = new Tensor<float>(n, 2);
        var known = new Tensor<float>(n, 2);
        for (int i = 0; i < n; i++)
        {
            int c = i % classes;
            classOf[i] = c;
            x[i, 0] = (float)((c % 2 == 0 ? -1 : 1) + (0.3 * random.NextNormal()));
            x[i, 1] = (float)((c < 2 ? -1 : 1) + (0.3 * random.NextNormal()));
            attributes[i, 0] = c % 2;      // "right half"
            attributes[i, 1] = c >= 2 ? 1 : 0; // "top half"
            known[i, 0] = 1;
            known[i, 1] = i % 2;
        }

        var data = new MultiTaskDataset<float>(x, ["x0", "x1"], [0, 1], [], [
            TaskTarget<float>.Classification("class", classOf, ["c0", "c1", "c2", "c3"], Tensor.Ones<float>(n)),
            TaskTarget<float>.MultiLabel("attrs", attributes, ["right", "top"], known)]);
        var init = new SeededRandom(3);
        var model = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(2, 16, init), new ReLU<float>()))
            .AddHead("class", new Linear<float>(16, classes, init))
            .AddHead("attrs", new Linear<float>(16, 2, init));
        var trainer = new Trainer<float>(
            model,
            [new("class", new CrossEntropyLoss<float>()), new("attrs", new BceWithLogitsLoss<float>())],
            new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = 0.02 }),
            new TrainerOptions<float> { Epochs = 30, BatchSize = 32, Seed = 1 });
        var history = trainer.Fit(data, data);
        var result = trainer.Evaluate(data);

        Assert.That(history.Epochs[^1].TrainLoss["attrs"], Is.LessThan(history.Epochs[0].TrainLoss["attrs"] / 4));
        Assert.That(result.Classification["class"].Accuracy, Is.GreaterThan(0.95));
        var attrs = result.MultiLabel["attrs"];
        Assert.That(attrs["right"].Count, Is.EqualTo(n));
        Assert.That(attrs["top"].Count, Is.EqualTo(n / 2), "the attribute's missing rows are not measured");
        Assert.That(attrs.Accuracy, Is.GreaterThan(0.95));
        Assert.That(result.Metric("attrs.macro_f1"), Is.EqualTo(attrs.MacroF1));
        Assert.That(history.Epochs[^1].ToString(), Does.Contain("attrs acc"));
    }

    [Test]
    public void ALossThatCannotTakeAttributesNamesTheTask()
    {
        var target = TaskTarget<double>.MultiLabel("attrs", Matrix(new double[,] { { 1, 0, 1 } }), Attributes);
        var task = new TrainingTask<double>("attrs", new CrossEntropyLoss<double>());
        Assert.That(() => task.CheckTarget(target), Throws.ArgumentException.With.Message.Contains("Task 'attrs'").And.Message.Contains("BceWithLogitsLoss"));
    }
}
