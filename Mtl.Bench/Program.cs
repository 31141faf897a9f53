using BenchmarkDotNet.Running;

namespace Mtl.Bench;

/// <summary>
/// Entry point. <c>dotnet run -c Release --project Mtl.Bench -- --filter '*Gemm*'</c> runs the
/// BenchmarkDotNet suites selected by the filter; <c>-- quick [--threads N] [--json PATH]</c> runs the
/// quick side-by-side comparison with PyTorch.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            return Quick.QuickMode.Run(args);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
