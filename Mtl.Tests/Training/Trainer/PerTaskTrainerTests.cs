using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;

namespace Mtl.Tests.Training.Trainer;

public class PerTaskTrainerTests
{
    /// <summary>Heating load seen through the first four building features, cooling load through the other
    /// four, on disjoint rows: two tasks with different inputs and different rows sharing one block.</summary>
    [Test]
    public void TasksWithDifferentInputsAndRowsTrainThroughASharedBlock()
    {
        var (train, _, test) = EnergyFixture.Load<float>();
        var heatingRows = Enumerable.Range(0, train.Rows).Where(r => r % 3 != 0).ToArray();
        var coolingRows = Enumerable.Range(0, train.Rows).Where(r => r % 3 == 0).ToArray();
        var heating = Columns(train.Subset(heatingRows), 0, 4);
        var cooling = Columns(train.Subset(coolingRows), 4, 8);

        var random = new SeededRandom(3);
        var model = new MultiInputModel<float>(new Sequential<float>(new Linear<float>(16, 16, random), new ReLU<float>()))
            .AddTask("heating_load", new Sequential<float>(new Linear<float>(4, 16, random), new ReLU<float>()), new Linear<float>(16, 1, random))
            .AddTask("cooling_load", new Sequential<float>(new Linear<float>(4, 16, random), new ReLU<float>()), new Linear<float>(16, 1, random));
        var trainer = new PerTaskTrainer<float>(
            model,
            [new("heating_load", new MseLoss<float>()), new("cooling_load", new MseLoss<float>())],
            new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = 3e-3 }),
            new PerTaskTrainerOptions { Sampling = TaskSampling.Proportional, Seed = 5 });

        var result = trainer.Fit([new("heating_load", heating), new("cooling_load", cooling)], steps: 1500);

        // Proportional sampling: about two heating steps per cooling step (the data sizes are 2:1).
        double share = (double)result.Steps["heating_load"] / 1500;
        double expected = (double)heating.Rows / (heating.Rows + cooling.Rows);
        Assert.That(share, Is.EqualTo(expected).Within(4 * Math.Sqrt(expected * (1 - expected) / 1500)));
        Assert.That(trainer.EvaluateRegression("heating_load", Columns(test, 0, 4)).R2, Is.GreaterThan(0.9));
        Assert.That(trainer.EvaluateRegression("cooling_load", Columns(test, 4, 8)).R2, Is.GreaterThan(0.7));
    }

    [Test]
    public void AnUnknownTaskIsRejectedByName()
    {
        var random = new SeededRandom(1);
        var model = new MultiInputModel<float>(new Linear<float>(2, 2, random)).AddTask("a", new Linear<float>(2, 2, random), new Linear<float>(2, 1, random));
        var ex = Assert.Throws<ArgumentException>(() => _ = new PerTaskTrainer<float>(model, [new("b", new MseLoss<float>())], new Adam<float>(model.NamedParameters(), new AdamOptions())));
        Assert.That(ex!.Message, Does.Contain("'b'").And.Contain("a"));
    }

    private static MultiTaskDataset<float> Columns(MultiTaskDataset<float> data, int from, int to)
    {
        var x = new Tensor<float>(data.Rows, to - from);
        for (int r = 0; r < data.Rows; r++)
        {
            for (int c = from; c < to; c++)
            {
                x[r, c - from] = data.Features[r, c];
            }
        }

        var names = data.FeatureNames.Skip(from).Take(to - from).ToList();
        return new MultiTaskDataset<float>(x, names, Enumerable.Range(0, to - from).ToList(), data.Embeddings, data.Tasks, data.DroppedRows);
    }
}
