using BenchmarkDotNet.Running;

namespace Mtl.Bench;

/// <summary>
/// Entry point. <c>dotnet run -c Release --project Mtl.Bench -- --filter '*Gemm*'</c> runs the
/// BenchmarkDotNet suites selected by the filter.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
