using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Optim;

namespace Mtl.Tests.Training.Trainer;

/// <summary>Small faults of the trainer (issue 12, point 5): each used to pass silently.</summary>
public class TrainerFaultTests
{
    [Test]
    public void AnOptimizerOverAnotherModelsParametersIsRejectedByName()
    {
        var model = EnergyFixture.Model<float>(seed: 1);
        var other = EnergyFixture.Model<float>(seed: 2);
        var ex = Assert.Throws<ArgumentException>(() => _ = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(other)));
        Assert.That(ex!.Message, Does.Contain("shared.0.weight").And.Contain("not a parameter of the model"));

        // A part of the model (here: the heads only) is a legitimate choice.
        var heads = new Adam<float>(model.NamedParameters().Where(p => p.Key.StartsWith("heads.", StringComparison.Ordinal)), new AdamOptions());
        Assert.DoesNotThrow(() => _ = new Trainer<float>(model, EnergyFixture.Tasks<float>(), heads));
    }

    [Test]
    public void ADivergingLastUpdateIsReported()
    {
        var (train, _, _) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 1);
        var sgd = new Sgd<float>(model.NamedParameters(), new SgdOptions { LearningRate = 1e30 });
        var trainer = new Trainer<float>(model, EnergyFixture.Tasks<float>(), sgd, new TrainerOptions<float> { Epochs = 1, BatchSize = train.Rows });

        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(train));
        Assert.That(ex!.Message, Does.Contain("diverged").And.Contain("last update"));
    }

    [Test]
    public void EmptyDataAndADropLastBatchLargerThanTheDataAreErrors()
    {
        var (train, validation, _) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 1);
        var trainer = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model), new TrainerOptions<float> { Epochs = 2 });
        var empty = train.Subset([]);
        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(empty));
        Assert.That(ex!.Message, Does.Contain("training data has no rows"));
        ex = Assert.Throws<ArgumentException>(() => trainer.Fit(train, validation.Subset([])));
        Assert.That(ex!.Message, Does.Contain("validation data has no rows"));

        var dropLast = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model), new TrainerOptions<float> { Epochs = 2, BatchSize = 1000, DropLast = true });
        ex = Assert.Throws<ArgumentException>(() => dropLast.Fit(train));
        Assert.That(ex!.Message, Does.Contain("DropLast").And.Contain("1000").And.Contain(train.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void CrossEntropyOnARegressionTargetNamesTheTask()
    {
        var (train, _, _) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 1);
        var trainer = new Trainer<float>(model, [new("heating_load", new CrossEntropyLoss<float>()), new("cooling_load", new MseLoss<float>())], EnergyFixture.Adam(model), new TrainerOptions<float> { Epochs = 1 });
        var ex = Assert.Throws<ArgumentException>(() => trainer.Fit(train));
        Assert.That(ex!.Message, Does.Contain("'heating_load'").And.Contain("not a classification target"));
    }

    [Test]
    public void AnExceptionMidRunStillRestoresTheBestParameters()
    {
        var (train, validation, _) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 2);
        var trainer = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model, lr: 0.05), new TrainerOptions<float>
        {
            Epochs = 100,
            Seed = 1,
            EarlyStoppingMetric = "val_loss",
            Patience = 50,
        });

        // Keep the parameters of the best epoch so far; fail at the first epoch that does not improve on it.
        double best = double.PositiveInfinity;
        float[][]? bestParameters = null;
        trainer.EpochEnded += report =>
        {
            double value = report.Metric("val_loss")!.Value;
            if (value < best)
            {
                best = value;
                bestParameters = model.Parameters().Select(p => p.Data.ToArray()).ToArray();
                return;
            }

            throw new InvalidOperationException("callback failure");
        };

        Assert.Throws<InvalidOperationException>(() => trainer.Fit(train, validation));
        Assert.That(model.Parameters().Select(p => p.Data.ToArray()).ToArray(), Is.EqualTo(bestParameters));
    }
}
