using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

/// <summary>Every malformed input is an exception naming where it is; nothing is coerced.</summary>
public class BadInputTests
{
    private static readonly TabularSchema Schema = new TabularSchema().Numeric("a", "b").Regression("y").Classification("k");

    [Test]
    public void MissingFileIsFileNotFound()
    {
        string path = TestData.TempFile("nowhere.csv");
        var e = Assert.Throws<FileNotFoundException>(() => TabularLoader.Load<float>(path, Schema));
        Assert.That(e!.Message, Does.Contain(path));
    }

    [Test]
    public void DeclaredColumnAbsentFromHeaderListsTheColumnsThereAre()
    {
        string path = TestData.WriteTemp("cols.csv", "a,bee,y,k\n1,2,3,u\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, Schema));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("column 'b'").And.Contain("a, bee, y, k"));
        Assert.That(e.Column, Is.EqualTo("b"));
        Assert.That(e.Row, Is.Zero);
    }

    [Test]
    public void NonNumericFeatureNamesFileRowColumnAndValue()
    {
        string path = TestData.WriteTemp("text.csv", "a,b,y,k\n1,2,3,u\n4,1,2x,5,v\n");
        Assert.That(() => TabularLoader.Load<float>(path, Schema), Throws.TypeOf<DataFormatException>(), "5 fields in a 4-column file");

        path = TestData.WriteTemp("text.csv", "a,b,y,k\n1,2,3,u\n4,\"1,5\",5,v\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, Schema));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("row 2").And.Contain("column 'b'").And.Contain("'1,5' is not a number"));
        Assert.That((e.File, e.Row, e.Column), Is.EqualTo((path, (int?)2, "b")));
    }

    [Test]
    public void NonNumericTargetNamesFileRowColumnAndValue()
    {
        string path = TestData.WriteTemp("target.csv", "a,b,y,k\n1,2,3,u\n4,5,six,v\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, Schema));
        Assert.That(e!.Message, Does.Contain("row 2").And.Contain("column 'y'").And.Contain("'six'"));
    }

    [TestCase("NaN", "a")]
    [TestCase("Infinity", "b")]
    [TestCase("-Infinity", "y")]
    [TestCase("1e400", "y")]
    public void NonFiniteValuesAreRejected(string value, string column)
    {
        string[] fields = ["1", "2", "3", "u"];
        fields[Array.IndexOf(["a", "b", "y", "k"], column)] = value;
        string path = TestData.WriteTemp("inf.csv", $"a,b,y,k\n1,2,3,u\n{string.Join(',', fields)}\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<double>(path, Schema));
        Assert.That(e!.Message, Does.Contain("row 2").And.Contain($"column '{column}'").And.Contain("not a finite number"));
    }

    [Test]
    public void AValueBeyondFloatRangeIsRejectedForFloatButNotForDouble()
    {
        string path = TestData.WriteTemp("big.csv", "a,b,y,k\n1,1e300,3,u\n");
        Assert.That(() => TabularLoader.Load<float>(path, Schema), Throws.TypeOf<DataFormatException>().With.Message.Contain("in Single"));
        Assert.That(TabularLoader.Load<double>(path, Schema).Features[0, 1], Is.EqualTo(1e300));
    }

    [Test]
    public void DuplicateHeaderIsRejected()
    {
        string path = TestData.WriteTemp("dup.csv", "a,b,y,k,b\n1,2,3,u,4\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, Schema));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("header").And.Contain("'b'"));
    }

    [Test]
    public void ACategoryOutsideTheDeclaredClassesIsRejected()
    {
        string path = TestData.WriteTemp("cls.csv", "x,y\n1,cat\n2,emu\n");
        var e = Assert.Throws<DataFormatException>(() => TabularLoader.Load<float>(path, new TabularSchema().Numeric("x").Classification("y", ["cat", "dog"])));
        Assert.That(e!.Message, Does.Contain("row 2").And.Contain("column 'y'").And.Contain("'emu'").And.Contain("cat, dog"));
    }

    [Test]
    public void AColumnDeclaredTwiceIsASchemaError()
    {
        Assert.That(() => new TabularSchema().Numeric("a").Regression("a"), Throws.ArgumentException.With.Message.Contain("'a'"));
    }
}
