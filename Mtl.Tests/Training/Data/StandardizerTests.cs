using Mtl.Tensors;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class StandardizerTests
{
    [Test]
    public void FittedOnTrainOnlyAndAppliedUnchangedToValidationAndTest()
    {
        var d = TabularLoader.Load<double>(TestData.Energy, TabularLoaderTests.EnergySchema());
        var split = DataSplit.Random(d.Rows, 0.7, 0.15, 7);
        var train = d.Subset(split.Train);
        var validation = d.Subset(split.Validation);
        var scaler = train.FitFeatureStandardizer();
        var zTrain = train.StandardizeFeatures(scaler);
        var zValidation = validation.StandardizeFeatures(scaler);

        double worstValidationMean = 0;
        for (int c = 0; c < 8; c++)
        {
            var trainColumn = Column(zTrain.Features, c);
            Assert.That(trainColumn.Average(), Is.EqualTo(0).Within(1e-9), $"train column {c}");
            Assert.That(PopulationStd(trainColumn), Is.EqualTo(1).Within(1e-9), $"train column {c}");

            // Validation uses the train statistics: z = (x − μ_train) / σ_train, not its own.
            var raw = Column(validation.Features, c);
            var z = Column(zValidation.Features, c);
            for (int i = 0; i < raw.Length; i++)
            {
                Assert.That(z[i], Is.EqualTo((raw[i] - scaler.Mean[c]) / scaler.Std[c]).Within(1e-12));
            }

            worstValidationMean = Math.Max(worstValidationMean, Math.Abs(z.Average()));
        }

        Assert.That(worstValidationMean, Is.GreaterThan(1e-3), "validation is not re-centred on its own mean");
        Assert.That(scaler.Mean[1], Is.Not.EqualTo(Column(d.Features, 1).Average()).Within(1e-9), "the mean is not the full data's");
        Assert.That(validation.Features[0, 0], Is.EqualTo(d.Features[split.Validation[0], 0]), "the raw split is untouched");
    }

    [Test]
    public void ConstantColumnGetsUnitStdIsReportedAndMapsToZero()
    {
        var x = Tensor.FromArray<float>([1f, 0.1f, 2f, 0.1f, 3f, 0.1f], 3, 2);
        var s = Standardizer<float>.Fit(x, [0, 1], ["varying", "flat"]);
        Assert.That(s.ConstantColumns, Is.EqualTo(new[] { "flat" }));
        Assert.That(s.Std[1], Is.EqualTo(1.0));
        var z = s.Transform(x);
        Assert.That(new[] { z[0, 1], z[1, 1], z[2, 1] }, Is.All.EqualTo(0f));
        Assert.That(z[0, 0], Is.EqualTo((float)(-1 / Math.Sqrt(2.0 / 3))).Within(1e-6));
    }

    [Test]
    public void UnlistedColumnsPassThroughAndInverseRestores()
    {
        var x = Tensor.FromArray<double>([1, 10, 2, 20, 4, 40], 3, 2);
        var s = Standardizer<double>.Fit(x, [1]);
        var z = s.Transform(x);
        Assert.That(new[] { z[0, 0], z[1, 0], z[2, 0] }, Is.EqualTo(new[] { 1.0, 2.0, 4.0 }));
        Assert.That(s.InverseTransform(z).ToArray(), Is.EqualTo(x.ToArray()).Within(1e-12));
        var restored = new Standardizer<double>(s.FeatureCount, s.Columns, s.Mean, s.Std);
        Assert.That(restored.Transform(x).ToArray(), Is.EqualTo(z.ToArray()));
    }

    [Test]
    public void TargetStandardizerIgnoresMaskedRowsAndKeepsThemZero()
    {
        var d = TabularLoader.Load<double>(TestData.Penguins, new TabularSchema().Numeric("year").Regression("body_mass_g"));
        var scaler = d.FitTargetStandardizer("body_mass_g");
        var mass = d.Task("body_mass_g");
        double mean = Enumerable.Range(0, d.Rows).Where(i => mass.Mask[i] == 1).Average(i => mass.Values![i, 0]);
        Assert.That(scaler.Mean[0], Is.EqualTo(mean).Within(1e-9), "the two NA rows do not pull the mean towards 0");
        var z = d.StandardizeTarget("body_mass_g", scaler).Task("body_mass_g");
        Assert.That(z.Values![3, 0], Is.Zero);
        Assert.That(z.Mask[3], Is.Zero);
        Assert.That(z.Values![0, 0], Is.EqualTo((3750 - mean) / scaler.Std[0]).Within(1e-9));
        Assert.That(scaler.InverseTransform(z.Values!)[0, 0], Is.EqualTo(3750).Within(1e-9));
    }

    private static double[] Column(Tensor<double> x, int c) => [.. Enumerable.Range(0, x.Shape[0]).Select(i => x[i, c])];

    private static double PopulationStd(double[] v)
    {
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / v.Length);
    }
}
