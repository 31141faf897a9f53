using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;
using Mtl.Tests.Training.Data;

namespace Mtl.Tests.Readme;

/// <summary>The code of the README's tour, kept here so that it keeps compiling and keeps being true.
/// Each region is pasted into README.md verbatim; change both together.</summary>
public class ReadmeTourTests
{
    [Test]
    public void TourTensorsAndGradients()
    {
        #region tour-autograd
        var x = Var<double>.Parameter(Tensor.FromArray([1.0, -2.0, 3.0]), "x");
        var y = (x * x).Sum() + x.Relu().Sum();      // y = Σ x² + Σ relu(x)
        y.Backward();
        Console.WriteLine(x.Grad);                   // Tensor<float64>[3] [3, -4, 7]   (2x + [x > 0])
        #endregion

        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 3.0, -4.0, 7.0 }));
    }

    [Test]
    public void TourTrainAHardSharingModel()
    {
        string csv = TestData.Energy;
        #region tour-training
        // Data: 8 building features and two regression targets, standardised on the training split only.
        var data = TabularLoader.Load<float>(csv, new TabularSchema()
            .Numeric("relative_compactness", "surface_area", "wall_area", "roof_area",
                     "overall_height", "orientation", "glazing_area", "glazing_area_distribution")
            .Regression("heating_load").Regression("cooling_load"));
        var split = DataSplit.Random(data.Rows, 0.7, 0.15, seed: 7);
        var train = data.Subset(split.Train);
        var scaler = train.FitFeatureStandardizer();
        train = train.StandardizeFeatures(scaler);
        var test = data.Subset(split.Test).StandardizeFeatures(scaler);
        foreach (var task in new[] { "heating_load", "cooling_load" })
        {
            var targetScaler = train.FitTargetStandardizer(task);
            (train, test) = (train.StandardizeTarget(task, targetScaler), test.StandardizeTarget(task, targetScaler));
        }

        // Model: a shared trunk and one head per task (hard parameter sharing).
        var random = new SeededRandom(1);
        var model = new MultiTaskModel<float>(new Sequential<float>(
                new Linear<float>(8, 32, random), new ReLU<float>(),
                new Linear<float>(32, 32, random), new ReLU<float>()))
            .AddHead("heating_load", new Linear<float>(32, 1, random))
            .AddHead("cooling_load", new Linear<float>(32, 1, random));

        // Objective Σ λᵢLᵢ with PCGrad on the shared trunk's gradients; Adam over all parameters.
        var trainer = new Trainer<float>(
            model,
            [new("heating_load", new MseLoss<float>()), new("cooling_load", new MseLoss<float>())],
            new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = 3e-3 }),
            new TrainerOptions<float> { Epochs = 100, BatchSize = 32, GradientCombiner = new PCGradCombiner(seed: 1) });
        trainer.EpochEnded += report => { if (report.Epoch % 25 == 0) Console.WriteLine(report); };
        trainer.Fit(train);

        var result = trainer.Evaluate(test);
        Console.WriteLine($"test R²: heating {result.Regression["heating_load"].R2:F3}, cooling {result.Regression["cooling_load"].R2:F3}");
        #endregion

        Assert.That(result.Regression["heating_load"].R2, Is.GreaterThan(0.98));
        Assert.That(result.Regression["cooling_load"].R2, Is.GreaterThan(0.95));
    }

    [Test]
    public void TourInspectGradients()
    {
        #region tour-inspect
        var w = Var<double>.Parameter(Tensor.FromArray([0.5, -0.25, 0.1, 0.3], 2, 2), "shared.weight");
        var input = Var<double>.Constant(Tensor.FromArray([1.0, 2.0], 1, 2), "x");
        var h = Ops.Linear(input, w).Tanh();
        var loss = h.Square().Sum() + h.Sum();
        loss.Backward();

        Console.WriteLine(Tape.Current.Dump());          // one line per op: shapes, value and gradient statistics
        File.WriteAllText("graph.dot", Graphviz.ToDot(loss)); // dot -Tsvg graph.dot -o graph.svg
        var report = GradCheck.Run(v => (Ops.Linear(input, v[0]).Tanh().Square()).Sum(), [Tensor.FromArray([0.5, -0.25, 0.1, 0.3], 2, 2)]);
        Console.WriteLine(report);                         // max abs/rel error per input against finite differences
        #endregion

        Assert.That(report.Passed, Is.True);
        Assert.That(File.ReadAllText("graph.dot"), Does.Contain("shared.weight"));
        File.Delete("graph.dot");
    }
}
