using Mtl.Training;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class ArffReaderTests
{
    private const string Weather = """
        % The classic weather data, with a quoted attribute name and a missing value.
        @RELATION weather

        @attribute outlook {sunny, overcast, 'rainy day'}
        @attribute temperature numeric
        @attribute 'relative humidity' REAL
        @attribute windy {TRUE, FALSE}
        @attribute note string
        @attribute play {yes, no}

        @data
        sunny,85,85,FALSE,'hot, dry',no
        % a comment between rows
        overcast, 83 , ?, TRUE, "it\'s fine", yes
        'rainy day',70,96,FALSE,?,yes
        """;

    [Test]
    public void ParsesAttributesTypesQuotesCommentsAndMissingValues()
    {
        var t = ArffReader.Parse(Weather, "weather.arff");
        Assert.That(t.Header, Is.EqualTo(new[] { "outlook", "temperature", "relative humidity", "windy", "note", "play" }));
        Assert.That(t.Rows.Count, Is.EqualTo(3));
        Assert.That(t.Rows[0], Is.EqualTo(new[] { "sunny", "85", "85", "FALSE", "hot, dry", "no" }));
        Assert.That(t.Rows[1], Is.EqualTo(new[] { "overcast", "83", "?", "TRUE", "it's fine", "yes" }));
        Assert.That(t.Rows[2][0], Is.EqualTo("rainy day"));
        Assert.That(t.Lines, Is.EqualTo(new[] { 12, 14, 15 }));
        Assert.That(t.DeclaredCategories["outlook"], Is.EqualTo(new[] { "sunny", "overcast", "rainy day" }));
        Assert.That(t.FormatMissingMarkers, Is.EqualTo(new[] { "?" }));
    }

    [Test]
    public void LoadsThroughTheSchemaWithDeclaredCategoryOrderAndMaskedMissingTargets()
    {
        string path = TestData.WriteTemp("weather.arff", Weather);
        var d = TabularLoader.Load<double>(path, new TabularSchema().Categorical("outlook").Numeric("temperature").Regression("relative humidity").Classification("play"));
        Assert.That(d.FeatureNames, Is.EqualTo(new[] { "outlook=sunny", "outlook=overcast", "outlook=rainy day", "temperature" }));
        Assert.That(d.Features.ReadOnlySpan.ToArray(), Is.EqualTo(new double[] { 1, 0, 0, 85, 0, 1, 0, 83, 0, 0, 1, 70 }));
        var humidity = d.Task("relative humidity");
        Assert.That(humidity.Mask.ReadOnlySpan.ToArray(), Is.EqualTo(new double[] { 1, 0, 1 }), "'?' is missing");
        Assert.That(humidity.Values![2, 0], Is.EqualTo(96.0));
        Assert.That(d.Task("play").ClassNames, Is.EqualTo(new[] { "yes", "no" }), "declared order, not sorted");
        Assert.That(d.Task("play").Classes, Is.EqualTo(new[] { 1, 0, 0 }));
        Assert.That(d.Task("play").Kind, Is.EqualTo(TaskKind.Classification));
    }

    [Test]
    public void CsvAndArffOfTheSameDataGiveTheSameDataset()
    {
        string csv = TestData.WriteTemp("same.csv", "a,b,k\n1.5,2,x\n3,-4e-1,y\n");
        string arff = TestData.WriteTemp("same.arff", "@relation r\n@attribute a numeric\n@attribute b numeric\n@attribute k {x,y}\n@data\n1.5,2,x\n3,-4e-1,y\n");
        var schema = new TabularSchema().Numeric("a", "b").Classification("k");
        var fromCsv = TabularLoader.Load<float>(csv, schema);
        var fromArff = TabularLoader.Load<float>(arff, schema);
        Assert.That(fromArff.Features.ContentEquals(fromCsv.Features), Is.True);
        Assert.That(fromArff.FeatureNames, Is.EqualTo(fromCsv.FeatureNames));
        Assert.That(fromArff.Task("k").Classes, Is.EqualTo(fromCsv.Task("k").Classes));
    }

    [Test]
    public void SparseRowsFillAbsentNumericWithZeroAndNominalWithTheFirstValue()
    {
        var t = ArffReader.Parse("@relation s\n@attribute a numeric\n@attribute b numeric\n@attribute c {p,q}\n@attribute d numeric\n@data\n{1 5, 3 7}\n{2 q}\n", "s.arff");
        Assert.That(t.Rows[0], Is.EqualTo(new[] { "0", "5", "p", "7" }));
        Assert.That(t.Rows[1], Is.EqualTo(new[] { "0", "0", "q", "0" }));
        var e = Assert.Throws<DataFormatException>(() => ArffReader.Parse("@relation s\n@attribute a numeric\n@data\n{4 1}\n", "s.arff"));
        Assert.That(e!.Message, Does.Contain("s.arff").And.Contain("line 4").And.Contain("sparse entry '4 1'"));
    }

    [TestCase("@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2,3\n", "line 5", "has 3 values but 2 attributes")]
    [TestCase("@relation r\n@attribute a relational\n@data\n", "line 2", "not supported")]
    [TestCase("@relation r\n@attribute a {x, y\n@data\n", "line 2", "not closed")]
    [TestCase("@relation r\n@attribute a numeric\n@attribute a numeric\n@data\n", "line 3", "declared twice")]
    [TestCase("@relation r\n@attribute a numeric\n", "", "no @data section")]
    [TestCase("@relation r\nhello\n", "line 2", "expected @relation, @attribute or @data")]
    [TestCase("@relation r\n@attribute a string\n@data\n'open\n", "line 4", "is not closed")]
    public void MalformedFilesNameTheLine(string text, string where, string problem)
    {
        var e = Assert.Throws<DataFormatException>(() => ArffReader.Parse(text, "bad.arff"));
        Assert.That(e!.Message, Does.Contain("bad.arff").And.Contain(where).And.Contain(problem));
    }

    [Test]
    public void UndeclaredNominalValueNamesRowColumnAndValue()
    {
        string path = TestData.WriteTemp("n.arff", "@relation r\n@attribute x numeric\n@attribute k {a,b}\n@data\n1,a\n2,c\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, new TabularSchema().Numeric("x").Classification("k")));
        Assert.That(e!.Message, Does.Contain("row 2").And.Contain("column 'k'").And.Contain("'c'").And.Contain("categories the file declares"));
    }
}
