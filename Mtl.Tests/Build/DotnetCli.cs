using System.Diagnostics;
using System.Text;

namespace Mtl.Tests.Build;

/// <summary>
/// Runs the <c>dotnet</c> CLI from a test as a user would in a shell, in a clean environment: the MSBuild
/// variables that <c>dotnet test</c> sets for its own children are removed (they would point the child build
/// at the test run's MSBuild), and build servers are off so that no process outlives the call (a server that
/// inherits the output pipes would keep the read open after the build ends).
/// </summary>
internal static class DotnetCli
{
    /// <summary>The configuration this test assembly was built in; the Mtl projects' outputs exist in it.</summary>
    public const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> in <paramref name="workingDirectory"/>.</summary>
    /// <returns>The exit code and the interleaved standard output and error.</returns>
    public static (int ExitCode, string Output) Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetPath())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["UseSharedCompilation"] = "false";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"dotnet {string.Join(' ', arguments)}: no exit after {timeout.TotalSeconds:F0} s\n{Text(output)}");
        }

        process.WaitForExit();
        return (process.ExitCode, Text(output));
    }

    /// <summary>Runs the command and fails the test with its output when it does not exit with 0.</summary>
    public static string RunOrFail(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var (exitCode, output) = Run(workingDirectory, timeout, arguments);
        Assert.That(exitCode, Is.Zero, $"dotnet {string.Join(' ', arguments)} failed with exit code {exitCode}:\n{output}");
        return output;
    }

    /// <summary>The repository's root (the folder of Mtl.Core.sln) above the test directory.</summary>
    public static string RepositoryRoot()
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

    /// <summary>A fresh folder under the system temp folder (outside the repository, so none of its
    /// Directory.Build.props, Directory.Packages.props or global.json applies).</summary>
    public static string NewTempFolder(string prefix)
    {
        string path = Path.Combine(Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The compiler's and NuGet's error lines of a build log (what a failure message should show first).</summary>
    public static string Errors(string output) =>
        string.Join('\n', output.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct());

    private static string DotnetPath()
    {
        // dotnet test sets DOTNET_HOST_PATH for its children to the dotnet that runs it.
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
