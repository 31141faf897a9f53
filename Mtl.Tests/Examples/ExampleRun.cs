using Mtl.Examples;

namespace Mtl.Tests.Examples;

/// <summary>One run of the examples' command line, with what it printed and a scratch output folder.</summary>
internal sealed class ExampleRun : IDisposable
{
    private ExampleRun(string outDirectory, int exitCode, string output, string error)
    {
        OutDirectory = outDirectory;
        ExitCode = exitCode;
        Output = output;
        Error = error;
    }

    public string OutDirectory { get; }

    public int ExitCode { get; }

    public string Output { get; }

    public string Error { get; }

    /// <summary>The bundled data folder next to the test assembly.</summary>
    public static string DataDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "data");

    /// <summary>Runs <paramref name="args"/> with <c>--out</c> set to a fresh temporary folder.</summary>
    public static ExampleRun Of(params string[] args)
    {
        string outDirectory = Path.Combine(Path.GetTempPath(), $"mtl-examples-tests-{Environment.ProcessId}-{Guid.NewGuid():N}");
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = ExampleRunner.Run([.. args, "--out", outDirectory], output, error);
        TestContext.Out.WriteLine(output.ToString());
        TestContext.Out.WriteLine(error.ToString());
        return new ExampleRun(outDirectory, code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts that <paramref name="fileName"/> was written to the output folder and is not empty.</summary>
    public void AssertWrote(string fileName)
    {
        string path = Path.Combine(OutDirectory, fileName);
        Assert.That(File.Exists(path), Is.True, $"{fileName} in {OutDirectory}");
        Assert.That(new FileInfo(path).Length, Is.GreaterThan(100), fileName);
        Assert.That(Output, Does.Contain(path), "the path of every written file is printed");
    }

    public void Dispose()
    {
        if (Directory.Exists(OutDirectory))
        {
            Directory.Delete(OutDirectory, recursive: true);
        }
    }
}
