using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Mtl.Tests.Build;

/// <summary>
/// The NuGet packages: <c>dotnet pack</c> of the solution gives one package and one symbol package per
/// library with the metadata a package page shows, and a console project outside the repository that
/// references only the <c>Mtl.Training</c> package restores the four from a local folder, builds, trains a
/// tiny two-task model and prints a falling loss.
/// </summary>
/// <remarks>
/// The packages get a version no earlier run used (0.1.0-local.&lt;ticks&gt;) and the sample restores into a
/// fresh packages folder with the user's global one as a read-only fallback: packages of an earlier run
/// cached under the same version can never stand in for the fresh ones, nothing is added to the user's
/// cache, and the other dependencies (System.Numerics.Tensors, MathNet.Numerics) resolve offline from the
/// packages the solution's own restore already brought.
/// </remarks>
[Category("Build")]
[NonParallelizable]
public partial class PackageTests
{
    private static readonly string[] _libraries = ["Mtl.Tensors", "Mtl.Autograd", "Mtl.Layers", "Mtl.Training"];

    [Test]
    public void PacksTheLibrariesAndASampleBuildsAndTrainsAgainstThem()
    {
        string root = DotnetCli.RepositoryRoot();
        string dir = DotnetCli.NewTempFolder("mtl-pack");
        try
        {
            string feed = Path.Combine(dir, "feed");
            string version = "0.1.0-local." + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);

            // The libraries were built with this test assembly; pack what is there instead of rebuilding it.
            DotnetCli.RunOrFail(root, TimeSpan.FromMinutes(5), "pack", "Mtl.Core.sln", "-c", DotnetCli.Configuration, "--no-build",
                "-o", feed, $"-p:PackageVersion={version}", "-nodeReuse:false", "-v:q", "-nologo");

            var packed = Directory.GetFiles(feed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
            var expected = _libraries.SelectMany(l => new[] { $"{l}.{version}.nupkg", $"{l}.{version}.snupkg" }).Order(StringComparer.Ordinal).ToArray();
            Assert.That(packed, Is.EqualTo(expected), "one package and one symbol package per library, none for tests, benchmarks or examples");
            foreach (var library in _libraries)
            {
                CheckPackage(Path.Combine(feed, $"{library}.{version}.nupkg"), library, version);
            }

            string sample = Path.Combine(dir, "sample");
            Directory.CreateDirectory(sample);
            WriteSample(sample, feed, Path.Combine(dir, "packages"), version);
            var (exitCode, output) = DotnetCli.Run(sample, TimeSpan.FromMinutes(5), "build", "-c", "Release",
                "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:q", "-nologo");
            Assert.That(exitCode, Is.Zero, $"The sample does not build against the packages:\n{DotnetCli.Errors(output)}\n\nFull log:\n{output}");

            string dll = Path.Combine(sample, "bin", "Release", "net10.0", "Sample.dll");
            string run = DotnetCli.RunOrFail(sample, TimeSpan.FromMinutes(2), dll);
            var losses = LossPattern().Matches(run).Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            Assert.That(losses, Has.Length.EqualTo(2), $"the sample prints its first and last loss:\n{run}");
            Assert.That(losses, Has.All.Matches<double>(double.IsFinite));
            Assert.That(losses[1], Is.LessThan(losses[0] / 4), $"training through the packages lowers the loss:\n{run}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The nuspec's metadata and the files a package must carry.</summary>
    private static void CheckPackage(string path, string id, string version)
    {
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.That(names, Does.Contain($"lib/net10.0/{id}.dll").And.Contain($"lib/net10.0/{id}.xml").And.Contain("README.md"), id);

        XElement metadata;
        using (var nuspec = zip.GetEntry($"{id}.nuspec")!.Open())
        {
            metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }

        string Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value ?? string.Empty;
        Assert.That(Field("id"), Is.EqualTo(id));
        Assert.That(Field("version"), Is.EqualTo(version));
        Assert.That(Field("license"), Is.EqualTo("MIT"), $"{id}: license expression");
        Assert.That(Field("readme"), Is.EqualTo("README.md"), $"{id}: package readme");
        Assert.That(Field("description"), Does.Contain("Mtl").And.Length.GreaterThan(60), $"{id}: its own description");
        Assert.That(Field("authors"), Is.EqualTo("The Mtl contributors"));
        Assert.That(Field("tags"), Does.Contain("multi-task-learning"));
        Assert.That(Field("projectUrl"), Is.Not.Empty);

        using var readme = new StreamReader(zip.GetEntry("README.md")!.Open());
        Assert.That(readme.ReadToEnd(), Does.StartWith("# Mtl"));
    }

    private static void WriteSample(string sample, string feed, string packages, string version)
    {
        string userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        // Added to the machine's sources, not instead of them.
        File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <add key="mtl-local" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user" value="{userPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(sample, "Sample.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Mtl.Training" Version="{version}" />
              </ItemGroup>
            </Project>
            """);

        // Two regression tasks on one trunk: a = x₀ + 2x₁, b = x₀ − x₁ on 64 fixed rows.
        File.WriteAllText(Path.Combine(sample, "Program.cs"), """
            using System.Globalization;
            using Mtl.Layers;
            using Mtl.Tensors;
            using Mtl.Training;
            using Mtl.Training.Data;
            using Mtl.Training.Losses;
            using Mtl.Training.Optim;

            const int rows = 64;
            var x = new Tensor<float>(rows, 2);
            var a = new Tensor<float>(rows, 1);
            var b = new Tensor<float>(rows, 1);
            var mask = Tensor.Ones<float>(rows);
            for (int i = 0; i < rows; i++)
            {
                float x0 = (i % 8 / 4f) - 1, x1 = (i / 8 / 4f) - 1;
                x[2 * i] = x0;
                x[(2 * i) + 1] = x1;
                a[i] = x0 + (2 * x1);
                b[i] = x0 - x1;
            }

            var data = new MultiTaskDataset<float>(x, ["x0", "x1"], [0, 1], [],
                [TaskTarget<float>.Regression("a", a, mask), TaskTarget<float>.Regression("b", b, mask.Clone())]);
            var random = new SeededRandom(1);
            var model = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(2, 16, random), new Tanh<float>()))
                .AddHead("a", new Linear<float>(16, 1, random))
                .AddHead("b", new Linear<float>(16, 1, random));
            var trainer = new Trainer<float>(model,
                [new("a", new MseLoss<float>()), new("b", new MseLoss<float>())],
                new Adam<float>(model.NamedParameters(), new AdamOptions { LearningRate = 1e-2 }),
                new TrainerOptions<float> { Epochs = 60, BatchSize = 16 });
            var history = trainer.Fit(data);
            double Total(EpochReport r) => r.TrainLoss.Values.Sum();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first loss {Total(history.Epochs[0]):R}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"last loss {Total(history.Epochs[^1]):R}"));
            """);
    }

    [GeneratedRegex(@"^(?:first|last) loss (\S+)$", RegexOptions.Multiline)]
    private static partial Regex LossPattern();
}
