using Mtl.Training;

namespace Mtl.Tests.Training.Trainer;

/// <summary>What the trainer hands back is the caller's to keep: further training never recycles it.</summary>
public class PredictionLifetimeTests
{
    [Test]
    public void PredictionsAndEvaluationsSurviveFurtherTraining()
    {
        var (train, validation, test) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 4);
        var trainer = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model), new TrainerOptions<float> { Epochs = 2, BatchSize = 32, Seed = 1 });
        trainer.Fit(train, validation);

        var predictions = trainer.Predict(test);
        var snapshot = predictions.ToDictionary(p => p.Key, p => p.Value.ToArray());
        var evaluation = trainer.Evaluate(test);
        double heatingR2 = evaluation.Regression["heating_load"].R2;

        trainer.Fit(train, validation);
        var later = trainer.Predict(test);

        foreach (var (task, values) in snapshot)
        {
            Assert.That(predictions[task].IsReleased, Is.False, task);
            Assert.That(predictions[task].ToArray(), Is.EqualTo(values), $"{task}: a kept prediction changed");
            Assert.That(later[task].ToArray(), Is.Not.EqualTo(values), $"{task}: training went on, so new predictions differ");
        }

        Assert.That(evaluation.Regression["heating_load"].R2, Is.EqualTo(heatingR2));
    }
}
