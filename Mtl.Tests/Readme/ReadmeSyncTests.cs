using System.Text.RegularExpressions;

namespace Mtl.Tests.Readme;

/// <summary>The README's tour is the code of <see cref="ReadmeTourTests"/>, verbatim.</summary>
public partial class ReadmeSyncTests
{
    [Test]
    public void ReadmeShowsTheTourCodeVerbatim()
    {
        string root = RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string source = File.ReadAllText(Path.Combine(root, "Mtl.Tests", "Readme", "ReadmeTourTests.cs"));
        var regions = RegionPattern().Matches(source);
        Assert.That(regions, Has.Count.EqualTo(3));
        foreach (Match region in regions)
        {
            string code = Dedent(region.Groups[2].Value);
            Assert.That(readme, Does.Contain(code), $"README.md must show region '{region.Groups[1].Value}' of ReadmeTourTests.cs verbatim");
        }
    }

    private static string Dedent(string block)
    {
        var lines = block.Split('\n');
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mtl.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Mtl.Core.sln not found above the test directory.");
    }

    [GeneratedRegex(@"#region (\S+)\n(.*?)\n\s*#endregion", RegexOptions.Singleline)]
    private static partial Regex RegionPattern();
}
