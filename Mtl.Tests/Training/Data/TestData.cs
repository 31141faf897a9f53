namespace Mtl.Tests.Training.Data;

/// <summary>Paths of the bundled data sets (copied next to the test assembly from the repository's data/)
/// and a scratch directory for small hand-written files.</summary>
internal static class TestData
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([TestContext.CurrentContext.TestDirectory, "data", .. parts]);

    public static string Energy => Path("energy-efficiency.csv");

    public static string Penguins => Path("penguins.csv");

    public static string FashionImages => Path("fashion-mnist", "t10k-images-idx3-ubyte.gz");

    public static string FashionLabels => Path("fashion-mnist", "t10k-labels-idx1-ubyte.gz");

    /// <summary>Writes <paramref name="content"/> to a fresh file in a per-process temp directory.</summary>
    public static string WriteTemp(string name, string content)
    {
        string file = TempFile(name);
        File.WriteAllText(file, content);
        return file;
    }

    /// <summary>A fresh path in a per-process temp directory.</summary>
    public static string TempFile(string name)
    {
        string dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mtl-data-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        return System.IO.Path.Combine(dir, $"{Guid.NewGuid():N}-{name}");
    }
}
