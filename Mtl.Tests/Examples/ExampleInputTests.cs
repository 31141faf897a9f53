using Mtl.Examples;

namespace Mtl.Tests.Examples;

/// <summary>A user's mistake ends with exit code 2 and a one-paragraph message, never a stack trace.</summary>
public class ExampleInputTests
{
    private readonly List<string> _scratch = [];

    [TearDown]
    public void RemoveScratch()
    {
        foreach (string dir in _scratch.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }

        _scratch.Clear();
    }

    [Test]
    public void AMissingDataFileIsNamed()
    {
        string empty = Scratch();
        using var run = ExampleRun.Of("energy", "--data", empty);

        Assert.That(run.ExitCode, Is.EqualTo(ExampleRunner.BadInput));
        Assert.That(run.Error, Does.StartWith("error: ").And.Contain(Path.Combine(empty, "energy-efficiency.csv")));
        Assert.That(run.Error, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void AMalformedValueIsNamedWithItsFileRowAndColumn()
    {
        string dir = Scratch();
        var lines = File.ReadAllLines(Path.Combine(ExampleRun.DataDirectory, "energy-efficiency.csv"));
        lines[3] = lines[3].Replace("0.98,", "0.9.8,", StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(dir, "energy-efficiency.csv"), lines);

        using var run = ExampleRun.Of("energy", "--data", dir);

        Assert.That(run.ExitCode, Is.EqualTo(ExampleRunner.BadInput));
        Assert.That(run.Error, Does.Contain("energy-efficiency.csv").And.Contain("row 3").And.Contain("relative_compactness").And.Contain("'0.9.8' is not a number"));
        Assert.That(run.Error.Trim().Split('\n'), Has.Length.EqualTo(1), "one paragraph");
    }

    [Test]
    public void AMissingColumnIsNamed()
    {
        string dir = Scratch();
        var lines = File.ReadAllLines(Path.Combine(ExampleRun.DataDirectory, "penguins.csv"));
        lines[0] = lines[0].Replace("body_mass_g", "mass", StringComparison.Ordinal);
        File.WriteAllLines(Path.Combine(dir, "penguins.csv"), lines);

        using var run = ExampleRun.Of("penguins", "--data", dir);

        Assert.That(run.ExitCode, Is.EqualTo(ExampleRunner.BadInput));
        Assert.That(run.Error, Does.Contain("penguins.csv").And.Contain("'body_mass_g'").And.Contain("no such column"));
    }

    [Test]
    public void AFileWithNoRowsIsNamed()
    {
        string dir = Scratch();
        File.WriteAllText(Path.Combine(dir, "penguins.csv"), File.ReadLines(Path.Combine(ExampleRun.DataDirectory, "penguins.csv")).First() + "\n");

        using var run = ExampleRun.Of("penguins", "--data", dir);

        Assert.That(run.ExitCode, Is.EqualTo(ExampleRunner.BadInput));
        Assert.That(run.Error, Does.StartWith($"error: '{Path.Combine(dir, "penguins.csv")}' cannot be used: ").And.Not.Contain("(Parameter"));
    }

    [Test]
    public void ACorruptImageFileIsNamed()
    {
        string dir = Scratch();
        Directory.CreateDirectory(Path.Combine(dir, "fashion-mnist"));
        File.WriteAllBytes(Path.Combine(dir, "fashion-mnist", "t10k-images-idx3-ubyte.gz"), [0x1f, 0x8b, 1, 2, 3]);
        File.Copy(Path.Combine(ExampleRun.DataDirectory, "fashion-mnist", "t10k-labels-idx1-ubyte.gz"), Path.Combine(dir, "fashion-mnist", "t10k-labels-idx1-ubyte.gz"));

        using var run = ExampleRun.Of("fashion", "--data", dir);

        Assert.That(run.ExitCode, Is.EqualTo(ExampleRunner.BadInput));
        Assert.That(run.Error, Does.Contain("t10k-images-idx3-ubyte.gz"));
    }

    [TestCase("nosuch")]
    [TestCase("energy", "--epochs", "0")]
    [TestCase("energy", "--epochs")]
    [TestCase("energy", "--seed", "-1")]
    [TestCase("energy", "--fast")]
    [TestCase("energy", "penguins")]
    public void ABadCommandLinePrintsTheUsage(params string[] args)
    {
        using var run = ExampleRun.Of(args);

        Assert.That(run.ExitCode, Is.EqualTo(ExampleRunner.BadInput));
        Assert.That(run.Error, Does.StartWith("error: ").And.Contain("usage: dotnet run -c Release --project Mtl.Examples"));
        Assert.That(run.Output, Is.Empty);
    }

    [Test]
    public void HelpListsEveryExample()
    {
        using var run = ExampleRun.Of("--help");

        Assert.That(run.ExitCode, Is.EqualTo(0));
        foreach (var example in ExampleRunner.Examples)
        {
            Assert.That(run.Output, Does.Contain($"  {example.Name.PadRight(10)}{example.Summary}"));
        }
    }

    [Test]
    public void OptionsParseBothSpellingsAndDefaultToEnergy()
    {
        var options = ExampleOptions.Parse(["--epochs=5", "--seed", "7", "--rows", "10"]);

        Assert.That(options, Is.EqualTo(new ExampleOptions { Epochs = 5, Seed = 7, Rows = 10 }));
        Assert.That(options.Example, Is.EqualTo("energy"));
    }

    [Test]
    public void TheFullFashionSetIsFoundUnderEitherNamingConvention()
    {
        string dir = Scratch();
        Assert.That(FashionExample.FullTrainingSet(dir), Is.Null);
        File.WriteAllText(Path.Combine(dir, "train-images.idx3-ubyte"), string.Empty);
        File.WriteAllText(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), string.Empty);

        Assert.That(FashionExample.FullTrainingSet(dir), Is.EqualTo((Path.Combine(dir, "train-images.idx3-ubyte"), Path.Combine(dir, "train-labels-idx1-ubyte.gz"))));
    }

    private string Scratch()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mtl-examples-input-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        _scratch.Add(dir);
        return dir;
    }
}
