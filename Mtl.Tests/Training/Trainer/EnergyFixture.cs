using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Tests.Training.Data;

namespace Mtl.Tests.Training.Trainer;

/// <summary>energy-efficiency.csv split 70/15/15 (seed 7), features and targets standardised on the
/// training split, and a small hard-sharing model for heating and cooling load.</summary>
internal static class EnergyFixture
{
    public static readonly string[] Features =
        ["relative_compactness", "surface_area", "wall_area", "roof_area", "overall_height", "orientation", "glazing_area", "glazing_area_distribution"];

    public static (MultiTaskDataset<T> Train, MultiTaskDataset<T> Validation, MultiTaskDataset<T> Test) Load<T>()
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var data = TabularLoader.Load<T>(TestData.Energy, new TabularSchema().Numeric(Features).Regression("heating_load").Regression("cooling_load"));
        var split = DataSplit.Random(data.Rows, 0.7, 0.15, 7);
        var train = data.Subset(split.Train);
        var scaler = train.FitFeatureStandardizer();
        var heating = train.FitTargetStandardizer("heating_load");
        var cooling = train.FitTargetStandardizer("cooling_load");
        MultiTaskDataset<T> Prepare(MultiTaskDataset<T> d) =>
            d.StandardizeFeatures(scaler).StandardizeTarget("heating_load", heating).StandardizeTarget("cooling_load", cooling);
        return (Prepare(train), Prepare(data.Subset(split.Validation)), Prepare(data.Subset(split.Test)));
    }

    public static MultiTaskModel<T> Model<T>(int seed, int hidden = 32)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(seed);
        var trunk = new Sequential<T>(new Linear<T>(8, hidden, random), new ReLU<T>(), new Linear<T>(hidden, hidden, random), new ReLU<T>());
        return new MultiTaskModel<T>(trunk)
            .AddHead("heating_load", new Linear<T>(hidden, 1, random))
            .AddHead("cooling_load", new Linear<T>(hidden, 1, random));
    }

    public static TrainingTask<T>[] Tasks<T>()
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        [new("heating_load", new MseLoss<T>()), new("cooling_load", new MseLoss<T>())];

    public static Adam<T> Adam<T>(MultiTaskModel<T> model, double lr = 3e-3)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        new(model.NamedParameters(), new AdamOptions { LearningRate = lr });
}
