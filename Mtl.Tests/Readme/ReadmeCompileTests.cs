using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mtl.Tests.Build;

namespace Mtl.Tests.Readme;

/// <summary>
/// The README's marked C# blocks build as a new console app: a project outside the repository (so none of
/// its build settings apply) with the template's defaults (implicit usings, nullable), a project reference
/// to Mtl.Training, the README's <c>using</c> block (<c>&lt;!-- compiled: usings --&gt;</c>) and each tour block
/// (<c>&lt;!-- compiled: tour --&gt;</c>).
/// </summary>
/// <remarks>
/// A console app has one file of top-level statements; the tour's blocks each stand alone and reuse names
/// (<c>report</c>, <c>loss</c>), so each becomes the body of its own method, which is what top-level
/// statements compile to. One project keeps it to one restore and one compilation.
/// </remarks>
[Category("Build")]
public partial class ReadmeCompileTests
{
    [Test]
    public void MarkedBlocksAreFoundAndHoldCode()
    {
        string readme = File.ReadAllText(Path.Combine(DotnetCli.RepositoryRoot(), "README.md"));
        Assert.That(Blocks(readme, "tour"), Has.Count.EqualTo(4));
        Assert.That(Blocks(readme, "usings"), Has.Count.EqualTo(1));
        Assert.That(Blocks(readme, "usings")[0], Does.Contain("using Mtl.Training;"));
    }

    [Test]
    public void TheTourBuildsAsANewConsoleApp()
    {
        string root = DotnetCli.RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var tour = Blocks(readme, "tour");
        string usings = Blocks(readme, "usings").Single();
        Assert.That(tour, Is.Not.Empty);

        string dir = DotnetCli.NewTempFolder("mtl-readme");
        try
        {
            File.WriteAllText(Path.Combine(dir, "ReadmeTour.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{Path.Combine(root, "Mtl.Training", "Mtl.Training.csproj")}" />
                  </ItemGroup>
                </Project>
                """);
            var program = new StringBuilder();
            for (int i = 0; i < tour.Count; i++)
            {
                program.Append(CultureInfo.InvariantCulture, $"if (args.Contains(\"{i + 1}\")) {{ Block{i + 1}.Run(); }}\n");
                File.WriteAllText(Path.Combine(dir, $"Block{i + 1}.cs"), $"{usings}\n\ninternal static class Block{i + 1}\n{{\n    public static void Run()\n    {{\n{tour[i]}\n    }}\n}}\n");
            }

            File.WriteAllText(Path.Combine(dir, "Program.cs"), program.ToString());

            // The Mtl projects were built with this test assembly; build only the new app against them.
            var (exitCode, output) = DotnetCli.Run(dir, TimeSpan.FromMinutes(5), "build", "-c", DotnetCli.Configuration,
                "-p:BuildProjectReferences=false", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:q", "-nologo");
            Assert.That(exitCode, Is.Zero, $"The README's tour does not build as a console app:\n{DotnetCli.Errors(output)}\n\nFull log:\n{output}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The code of every <c>```csharp</c> block that follows <c>&lt;!-- compiled: kind --&gt;</c>.</summary>
    private static List<string> Blocks(string readme, string kind) =>
        [.. BlockPattern().Matches(readme.Replace("\r\n", "\n", StringComparison.Ordinal)).Where(m => m.Groups[1].Value == kind).Select(m => m.Groups[2].Value)];

    [GeneratedRegex(@"<!-- compiled: (\w+) -->\n```csharp\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex BlockPattern();
}
