using Mtl.Training.Data;

namespace Mtl.Tests.Training.Data;

public class CsvReaderTests
{
    [Test]
    public void QuotedFieldsHoldCommasQuotesAndLineBreaks()
    {
        var t = CsvReader.Parse("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n1,2,3", "mem.csv");
        Assert.That(t.Header, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(t.Rows, Has.Count.EqualTo(2));
        Assert.That(t.Rows[0], Is.EqualTo(new[] { "x, y", "say \"hi\"", "two\nlines" }));
        Assert.That(t.Rows[1], Is.EqualTo(new[] { "1", "2", "3" }));
        Assert.That(t.Lines, Is.EqualTo(new[] { 2, 4 }), "the second record starts after the quoted line break");
    }

    [TestCase("a,b\n1,2\n")]
    [TestCase("a,b\r\n1,2\r\n")]
    [TestCase("a,b\n1,2")]
    [TestCase("\uFEFFa,b\n1,2\n\n")]
    public void LineEndingsTrailingNewlineAndBomGiveTheSameTable(string text)
    {
        var t = CsvReader.Parse(text, "mem.csv");
        Assert.That(t.Header, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(t.Rows, Has.Count.EqualTo(1));
        Assert.That(t.Rows[0], Is.EqualTo(new[] { "1", "2" }));
    }

    [Test]
    public void EmptyFieldsAreKeptAndAQuotedEmptyLineIsARecord()
    {
        var t = CsvReader.Parse("a\n\"\"\n", "mem.csv");
        Assert.That(t.Rows, Has.Count.EqualTo(1));
        Assert.That(t.Rows[0][0], Is.Empty);
        var u = CsvReader.Parse("a,b\n,\n", "mem.csv");
        Assert.That(u.Rows[0], Is.EqualTo(new[] { "", "" }));
    }

    [Test]
    public void WrongFieldCountNamesFileRowAndLine()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Parse("a,b\n1,2\n3\n", "short.csv"));
        Assert.That(e!.Message, Does.Contain("short.csv").And.Contain("row 2").And.Contain("line 3").And.Contain("1 fields"));
        Assert.That(e.Row, Is.EqualTo(2));
    }

    [Test]
    public void UnterminatedQuoteAndStrayQuotesAreErrors()
    {
        Assert.That(() => CsvReader.Parse("a\n\"open\n", "q.csv"), Throws.TypeOf<DataFormatException>().With.Message.Contain("not closed"));
        Assert.That(() => CsvReader.Parse("a\nx\"y\n", "q.csv"), Throws.TypeOf<DataFormatException>().With.Message.Contain("double quote"));
        Assert.That(() => CsvReader.Parse("a\n\"x\"y\n", "q.csv"), Throws.TypeOf<DataFormatException>().With.Message.Contain("after the closing quote"));
    }

    [Test]
    public void DuplicateAndEmptyHeaderNamesAreErrors()
    {
        var e = Assert.Throws<DataFormatException>(() => CsvReader.Parse("a,b,a\n1,2,3\n", "dup.csv"));
        Assert.That(e!.Message, Does.Contain("dup.csv").And.Contain("header").And.Contain("'a'").And.Contain("more than once"));
        Assert.That(e.Column, Is.EqualTo("a"));
        Assert.That(() => CsvReader.Parse("a,,c\n1,2,3\n", "e.csv"), Throws.TypeOf<DataFormatException>().With.Message.Contain("header field 2 is empty"));
        Assert.That(() => CsvReader.Parse("", "empty.csv"), Throws.TypeOf<DataFormatException>().With.Message.Contain("empty"));
    }

    [Test]
    public void MissingFileIsFileNotFoundWithThePath()
    {
        string path = TestData.TempFile("absent.csv");
        var e = Assert.Throws<FileNotFoundException>(() => CsvReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path));
        Assert.That(e.FileName, Is.EqualTo(path));
    }
}
