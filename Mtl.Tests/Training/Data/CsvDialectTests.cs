using System.Text;
using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

/// <summary>Delimiters, trimming, strict UTF-8, column blocks and the hints in error messages.</summary>
public class CsvDialectTests
{
    private static readonly CsvDialect Auto = new();

    [TestCase("a;b;c\n1;2;3\n", ';')]
    [TestCase("a\tb\tc\n1\t2\t3\n", '\t')]
    [TestCase("a|b|c\n1|2|3\n", '|')]
    [TestCase("a,b,c\n1,2,3\n", ',')]
    [TestCase("\"x;y\",b,c\n1,2,3\n", ',')]
    public void DelimiterIsDetectedFromTheHeaderOutsideQuotes(string text, char expected)
    {
        Assert.That(CsvDialect.Detect(text), Is.EqualTo(expected));
        var table = CsvReader.Parse(text, "t.csv", Auto);
        Assert.That(table.Header.Count, Is.EqualTo(3));
        Assert.That(table.Rows[0], Is.EqualTo(new[] { "1", "2", "3" }));
    }

    [Test]
    public void ExplicitDelimiterOverridesDetection()
    {
        // The header has more commas than semicolons, but the file is semicolon-separated with decimal commas.
        string text = "a,1;b,2\n\"1,5\";2\n";
        var table = CsvReader.Parse(text, "t.csv", new CsvDialect { Delimiter = ';' });
        Assert.That(table.Header, Is.EqualTo(new[] { "a,1", "b,2" }));
        Assert.That(table.Rows[0], Is.EqualTo(new[] { "1,5", "2" }));
        Assert.That(CsvDialect.Detect(text), Is.EqualTo(','), "auto-detection picks the comma here");
    }

    [Test]
    public void SemicolonFileLoadsThroughTheSchemaButTheStrictReaderStillSeesOneColumn()
    {
        string path = TestData.WriteTemp("semi.csv", "x;y\n1.5;2\n\"3\";4\n");
        var d = TabularLoader.Load<double>(path, new TabularSchema().Numeric("x").Regression("y"));
        Assert.That(d.Features[1, 0], Is.EqualTo(3.0));
        Assert.That(d.Task("y").Values![1, 0], Is.EqualTo(4.0));
        Assert.That(CsvReader.Parse("x;y\n1;2\n", path).Header, Is.EqualTo(new[] { "x;y" }), "Parse(text, file) keeps the RFC 4180 comma dialect");
    }

    [Test]
    public void TextAfterClosingQuoteNamesTheDelimiterInUse()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Parse("a,b\n\"1\";2\n", "q.csv"));
        Assert.That(e!.Message, Does.Contain("q.csv").And.Contain("row 1").And.Contain("the delimiter is ','").And.Contain("Delimiter"));
    }

    [Test]
    public void FieldCountMismatchWithAOneColumnHeaderSuggestsTheDelimiter()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Parse("a;b\n1,2\n", "d.csv"));
        Assert.That(e!.Message, Does.Contain("has 2 fields but the header has 1").And.Contain("the header holds ';'"));
    }

    [Test]
    public void ArffFedToTheCsvReaderSaysItLooksLikeArff()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Parse("@relation r\n@attribute a numeric\n@attribute b numeric\n@data\n1,2\n", "w.arff"));
        Assert.That(e!.Message, Does.Contain("ARFF"));
    }

    [Test]
    public void TrimmingRemovesUnquotedBlanksOnlyAndCanBeTurnedOff()
    {
        const string text = "k , v\n S ,\" S \"\n\tT\t, \"x\" \n";
        var trimmed = CsvReader.Parse(text, "t.csv", Auto);
        Assert.That(trimmed.Header, Is.EqualTo(new[] { "k", "v" }));
        Assert.That(trimmed.Rows[0], Is.EqualTo(new[] { "S", " S " }));
        Assert.That(trimmed.Rows[1], Is.EqualTo(new[] { "T", "x" }));

        var verbatim = CsvReader.Parse("k , v\n S ,T\n", "t.csv", new CsvDialect { TrimFields = false });
        Assert.That(verbatim.Header, Is.EqualTo(new[] { "k ", " v" }));
        Assert.That(verbatim.Rows[0], Is.EqualTo(new[] { " S ", "T" }));
    }

    [Test]
    public void TrimmedCategoriesAreOneCategory()
    {
        string path = TestData.WriteTemp("sex.csv", "x,sex\n1, S\n2,S\n3,F \n");
        var d = TabularLoader.Load<float>(path, new TabularSchema().Numeric("x").Classification("sex"));
        Assert.That(d.Task("sex").ClassNames, Is.EqualTo(new[] { "F", "S" }));
        Assert.That(d.Task("sex").Classes, Is.EqualTo(new[] { 1, 1, 0 }));

        var untrimmed = TabularLoader.Load<float>(path, new TabularSchema { TrimFields = false }.Numeric("x").Classification("sex"));
        Assert.That(untrimmed.Task("sex").ClassNames, Is.EqualTo(new[] { " S", "F ", "S" }));
    }

    [Test]
    public void InvalidUtf8IsAnErrorNamingFileLineAndByte()
    {
        string path = TestData.TempFile("latin1.csv");
        byte[] head = Encoding.ASCII.GetBytes("a,b\n1,2\n3,caf");
        File.WriteAllBytes(path, [.. head, 0xE9, .. Encoding.ASCII.GetBytes("\n")]);
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("line 3").And.Contain($"byte offset {head.Length}").And.Contain("0xE9").And.Contain("UTF-8"));
        Assert.That(() => TabularLoader.Load<float>(path, new TabularSchema().Numeric("a")), Throws.TypeOf<DataFormatException>());
    }

    [Test]
    public void ValidMultiByteUtf8AndTheByteOrderMarkAreRead()
    {
        string path = TestData.TempFile("utf8.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("city,n\nZürich,1\n")]);
        var t = CsvReader.Read(path);
        Assert.That(t.Header[0], Is.EqualTo("city"));
        Assert.That(t.Rows[0][0], Is.EqualTo("Zürich"));
    }

    [Test]
    public void QuestionMarkNotANumberHintsAtMissingMarkers()
    {
        string path = TestData.WriteTemp("q.csv", "a,y\n1,2\n?,3\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, new TabularSchema().Numeric("a").Regression("y")));
        Assert.That(e!.Message, Does.Contain("row 2").And.Contain("column 'a'").And.Contain("'?' is not a number").And.Contain("MissingMarkers").And.Contain("'NA'"));

        var d = TabularLoader.Load<float>(path, new TabularSchema { MissingMarkers = ["?"], MissingFeatures = MissingFeaturePolicy.DropRow }.Numeric("a").Regression("y"));
        Assert.That(d.Rows, Is.EqualTo(1));
        Assert.That(d.DroppedRows, Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public void NumericRangeTakesTheHeaderBlockInOrder()
    {
        string path = TestData.WriteTemp("wide.csv", "id,w1,w2,w3,w4,y\n7,1,2,3,4,9\n");
        var d = TabularLoader.Load<float>(path, new TabularSchema().NumericRange("w2", "w4").Regression("y"));
        Assert.That(d.FeatureNames, Is.EqualTo(new[] { "w2", "w3", "w4" }));
        Assert.That(d.Features.ReadOnlySpan.ToArray(), Is.EqualTo(new[] { 2f, 3f, 4f }));
    }

    [Test]
    public void NumericRestTakesEveryUndeclaredColumnAtItsPlace()
    {
        string path = TestData.WriteTemp("rest.csv", "id,w1,g,w2,y\n7,1,a,2,9\n8,3,b,4,9\n");
        var schema = new TabularSchema().Categorical("g").NumericRest("id").Regression("y");
        var d = TabularLoader.Load<float>(path, schema);
        Assert.That(d.FeatureNames, Is.EqualTo(new[] { "g=a", "g=b", "w1", "w2" }));
        Assert.That(d.Features.ReadOnlySpan.ToArray(), Is.EqualTo(new[] { 1f, 0f, 1f, 2f, 0f, 1f, 3f, 4f }));
        Assert.That(schema.Inputs.Count, Is.EqualTo(1), "the declared schema is not changed by resolving it");
    }

    [Test]
    public void BadRangesNameTheColumn()
    {
        string path = TestData.WriteTemp("wide.csv", "w1,w2,w3,y\n1,2,3,4\n");
        var backwards = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, new TabularSchema().NumericRange("w3", "w1")));
        Assert.That(backwards!.Message, Does.Contain("comes before"));
        var absent = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, new TabularSchema().NumericRange("w1", "w9")));
        Assert.That(absent!.Column, Is.EqualTo("w9"));
        var overlap = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, new TabularSchema().NumericRange("w1", "y").Regression("y")));
        Assert.That(overlap!.Column, Is.EqualTo("y"));
        Assert.That(() => new TabularSchema().NumericRest().NumericRest(), Throws.InvalidOperationException);
    }
}
