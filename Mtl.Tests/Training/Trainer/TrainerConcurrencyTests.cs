using Mtl.Training;

namespace Mtl.Tests.Training.Trainer;

/// <summary>
/// Training one model from two threads at once races (the runs interleave their updates); it must throw.
/// The first fit is held inside its epoch callback while the second one starts, so the overlap is certain.
/// </summary>
public class TrainerConcurrencyTests
{
    [TestCase(false)]
    [TestCase(true)]
    public void ASecondFitOfTheSameModelOnAnotherThreadThrows(bool secondTrainer)
    {
        var (train, validation, _) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 1);
        var first = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model), new TrainerOptions<float> { Epochs = 2 });
        var second = secondTrainer ? new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model), new TrainerOptions<float> { Epochs = 2 }) : first;
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool evaluatedInside = false;
        first.EpochEnded += report =>
        {
            if (report.Epoch == 1)
            {
                // The thread that fits may still use its own trainer from the callback.
                evaluatedInside = first.Evaluate(validation).Metric("val_loss") is not null;
                inside.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        };

        var fit = Task.Run(() => first.Fit(train, validation));
        try
        {
            Assert.That(inside.Wait(TimeSpan.FromSeconds(30)), "the first fit reached its callback");
            var ex = Assert.Throws<InvalidOperationException>(() => second.Fit(train));
            Assert.That(ex!.Message, Does.Contain("in use").And.Contain("thread"));
            Assert.Throws<InvalidOperationException>(() => second.Evaluate(validation), "evaluating switches the model to evaluation mode, which would race too");
        }
        finally
        {
            release.Set();
        }

        Assert.That(fit.Wait(TimeSpan.FromSeconds(60)), "the first fit finishes");
        Assert.That(fit.Result.Epochs, Has.Count.EqualTo(2));
        Assert.That(evaluatedInside);

        // Once the first fit is over, the model is free again.
        Assert.DoesNotThrow(() => second.Fit(train));
    }

    [Test]
    public void AFitCannotStartInsideAnotherOnTheSameThread()
    {
        var (train, _, _) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 1);
        var trainer = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model), new TrainerOptions<float> { Epochs = 2 });
        trainer.EpochEnded += _ => trainer.Fit(train);
        var ex = Assert.Throws<InvalidOperationException>(() => trainer.Fit(train));
        Assert.That(ex!.Message, Does.Contain("already in use by this thread").And.Contain("Trainer.Fit"));
    }
}
