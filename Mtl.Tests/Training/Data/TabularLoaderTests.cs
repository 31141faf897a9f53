using Mtl.Training;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class TabularLoaderTests
{
    internal static readonly string[] EnergyInputs =
    [
        "relative_compactness", "surface_area", "wall_area", "roof_area",
        "overall_height", "orientation", "glazing_area", "glazing_area_distribution",
    ];

    internal static TabularSchema EnergySchema() =>
        new TabularSchema().Numeric(EnergyInputs).Regression("heating_load").Regression("cooling_load");

    internal static TabularSchema PenguinSchema(MissingFeaturePolicy policy) =>
        new TabularSchema { MissingFeatures = policy }
            .Numeric("bill_length_mm", "bill_depth_mm", "flipper_length_mm")
            .Categorical("island")
            .Numeric("year")
            .Classification("species")
            .Classification("sex")
            .Regression("body_mass_g");

    [Test]
    public void EnergyEfficiencyHas768RowsEightFeaturesAndTwoRegressionTasks()
    {
        var d = TabularLoader.Load<float>(TestData.Energy, EnergySchema());
        Assert.That(d.Rows, Is.EqualTo(768));
        Assert.That(d.Features.Shape.ToArray(), Is.EqualTo(new[] { 768, 8 }));
        Assert.That(d.FeatureNames, Is.EqualTo(EnergyInputs));
        Assert.That(d.ScalableColumns, Is.EqualTo(Enumerable.Range(0, 8)));
        Assert.That(d.Tasks.Select(t => t.Name), Is.EqualTo(new[] { "heating_load", "cooling_load" }));
        Assert.That(d.Tasks.All(t => t.Kind == TaskKind.Regression && t.PresentCount == 768), Is.True);
        Assert.That(d.DroppedRows, Is.Empty);

        // First data line: 0.98,514.50,294.00,110.25,7.00,2,0.00,0,15.55,21.33
        Assert.That(d.Features[0, 1], Is.EqualTo(514.5f));
        Assert.That(d.Features[0, 5], Is.EqualTo(2f));
        Assert.That(d.Task("heating_load").Values![0, 0], Is.EqualTo(15.55f));
        Assert.That(d.Task("cooling_load").Values!.Shape.ToArray(), Is.EqualTo(new[] { 768, 1 }));

        // Means from `python3 -c "import csv;r=list(csv.DictReader(open('data/energy-efficiency.csv')));
        // print(sum(float(x['heating_load']) for x in r)/768, sum(float(x['cooling_load']) for x in r)/768)"`
        Assert.That(d.Task("heating_load").Values!.ReadOnlySpan.ToArray().Average(v => (double)v), Is.EqualTo(22.307200520833305).Within(1e-4));
        Assert.That(d.Task("cooling_load").Values!.ReadOnlySpan.ToArray().Average(v => (double)v), Is.EqualTo(24.58776041666671).Within(1e-4));
    }

    [Test]
    public void PenguinsDropTheTwoUnmeasuredRowsAndMaskTheNineOtherMissingSexes()
    {
        var d = TabularLoader.Load<float>(TestData.Penguins, PenguinSchema(MissingFeaturePolicy.DropRow));
        Assert.That(d.Rows, Is.EqualTo(342));
        Assert.That(d.DroppedRows, Is.EqualTo(new[] { 4, 272 }));
        Assert.That(d.FeatureNames, Is.EqualTo(new[]
        {
            "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
            "island=Biscoe", "island=Dream", "island=Torgersen", "year",
        }));
        Assert.That(d.ScalableColumns, Is.EqualTo(new[] { 0, 1, 2, 6 }), "one-hot columns are not standardised");

        var species = d.Task("species");
        Assert.That(species.ClassNames, Is.EqualTo(new[] { "Adelie", "Chinstrap", "Gentoo" }));
        Assert.That(species.PresentCount, Is.EqualTo(342));
        Assert.That(species.Classes!.Count(c => c == 0), Is.EqualTo(151));
        Assert.That(species.Classes!.Count(c => c == 1), Is.EqualTo(68));
        Assert.That(species.Classes!.Count(c => c == 2), Is.EqualTo(123));

        var sex = d.Task("sex");
        Assert.That(sex.ClassNames, Is.EqualTo(new[] { "female", "male" }));
        Assert.That(sex.PresentCount, Is.EqualTo(333));
        Assert.That(sex.Classes!.Count(c => c == -1), Is.EqualTo(9));
        Assert.That(sex.Classes!.Count(c => c == 0), Is.EqualTo(165));
        Assert.That(d.Task("body_mass_g").PresentCount, Is.EqualTo(342));

        // Source row 9 (now row 7, after dropping row 4) lacks sex only: its other labels stay.
        Assert.That(sex.Mask[7], Is.Zero);
        Assert.That(species.Mask[7], Is.EqualTo(1f));
        Assert.That(species.Classes![7], Is.Zero);
        Assert.That(d.Task("body_mass_g").Values![7, 0], Is.EqualTo(3475f));

        // One-hot island: each row has exactly one 1 among the three island columns.
        for (int i = 0; i < d.Rows; i++)
        {
            Assert.That(d.Features[i, 3] + d.Features[i, 4] + d.Features[i, 5], Is.EqualTo(1f));
        }

        Assert.That(Enumerable.Range(0, d.Rows).Count(i => d.Features[i, 3] == 1f), Is.EqualTo(167));
    }

    [Test]
    public void PenguinsWithoutMeasurementInputsKeepAll344RowsAndMaskElevenSexesAndTwoMasses()
    {
        var schema = new TabularSchema()
            .Categorical("island", CategoricalEncoding.EmbeddingIndex)
            .Numeric("year")
            .Classification("species")
            .Classification("sex")
            .Regression("body_mass_g");
        var d = TabularLoader.Load<double>(TestData.Penguins, schema);
        Assert.That(d.Rows, Is.EqualTo(344));
        Assert.That(d.Task("sex").PresentCount, Is.EqualTo(333));
        Assert.That(d.Task("species").PresentCount, Is.EqualTo(344));
        Assert.That(d.Task("body_mass_g").PresentCount, Is.EqualTo(342));
        Assert.That(d.Task("body_mass_g").Values![3, 0], Is.Zero, "a masked value is a placeholder, flagged by the mask");
        Assert.That(d.Task("body_mass_g").Mask[3], Is.Zero);

        Assert.That(d.FeatureNames, Is.EqualTo(new[] { "year" }));
        var island = d.Embeddings.Single();
        Assert.That(island.Name, Is.EqualTo("island"));
        Assert.That(island.Categories, Is.EqualTo(new[] { "Biscoe", "Dream", "Torgersen" }));
        Assert.That(island.Indices[0], Is.EqualTo(2));
        Assert.That(island.Indices.Count(i => i == 0), Is.EqualTo(168));
    }

    [Test]
    public void PenguinsUnderTheErrorPolicyNameTheFirstUnmeasuredRow()
    {
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(TestData.Penguins, PenguinSchema(MissingFeaturePolicy.Error)));
        Assert.That(e!.Message, Does.Contain("penguins.csv").And.Contain("row 4").And.Contain("'bill_length_mm'").And.Contain("missing"));
        Assert.That(e.Row, Is.EqualTo(4));
        Assert.That(e.Column, Is.EqualTo("bill_length_mm"));
    }

    [Test]
    public void FirstAppearanceOrderNumbersCategoriesAsTheyComeAndFixedClassesAreKept()
    {
        string path = TestData.WriteTemp("order.csv", "x,c,y\n1,b,dog\n2,a,cat\n3,b,dog\n");
        var first = new TabularSchema { CategoryOrder = CategoryOrder.FirstAppearance }.Numeric("x").Categorical("c").Classification("y");
        var d = TabularLoader.Load<float>(path, first);
        Assert.That(d.FeatureNames, Is.EqualTo(new[] { "x", "c=b", "c=a" }));
        Assert.That(d.Task("y").ClassNames, Is.EqualTo(new[] { "dog", "cat" }));

        var fixedClasses = new TabularSchema().Numeric("x").Classification("y", ["cat", "dog", "bird"]);
        var f = TabularLoader.Load<float>(path, fixedClasses);
        Assert.That(f.Task("y").ClassNames, Is.EqualTo(new[] { "cat", "dog", "bird" }));
        Assert.That(f.Task("y").Classes, Is.EqualTo(new[] { 1, 0, 1 }));
    }

    [Test]
    public void QuotedNumbersAndExponentsParseInTheInvariantCulture()
    {
        string path = TestData.WriteTemp("num.csv", "x,y\r\n\"1.5\",-2e3\r\n 7 ,+0.25\r\n");
        var d = TabularLoader.Load<double>(path, new TabularSchema().Numeric("x").Regression("y"));
        Assert.That(d.Features.ToArray(), Is.EqualTo(new[] { 1.5, 7.0 }));
        Assert.That(d.Task("y").Values!.ToArray(), Is.EqualTo(new[] { -2000.0, 0.25 }));
    }
}
