using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Weighting;

namespace Mtl.Bench.Quick;

/// <summary>
/// <c>dotnet run -c Release --project Mtl.Bench -- quick [--threads N] [--json PATH] [--no-peer] [--only SECTION] [--isa native|avx2|vector128]</c>:
/// GEMM throughput, multi-task training steps and shared-vs-separate training, each side by side with
/// PyTorch on the CPU when it is installed, in under three minutes on two cores. <c>--isa avx2</c>
/// measures an AVX-512 host as an AVX2 one (see <see cref="IsaSetting"/>).
/// </summary>
internal static class QuickMode
{
    private static readonly int[] GemmSizes = [64, 128, 256, 512, 1024];

    private static readonly TrainStepConfig[] Configs =
    [
        new("small", 64, 32, 64),
        new("medium", 256, 256, 512),
        new("large", 512, 1024, 2048),
        new("cnn", 64, 28 * 56, 64, Cnn: true),
    ];

    private static readonly int[] SharingTasks = [2, 4, 8];

    private static readonly int[] MethodTasks = [2, 4, 8];

    private static readonly string[] Sections = ["gemm", "steps", "sharing", "methods"];

    private static readonly MethodStepConfig[] Methods =
    [
        new("plain", TaskGradientSpace.Parameters),
        new("pcgrad", TaskGradientSpace.Parameters),
        new("pcgrad", TaskGradientSpace.Representation),
        new("mgda", TaskGradientSpace.Parameters),
        new("mgda", TaskGradientSpace.Representation),
    ];

    public static int Run(string[] args)
    {
        int threads = Environment.ProcessorCount;
        string? jsonPath = null;
        bool peer = true;
        string? only = null;
        var isa = IsaSetting.Parse("native")!;
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], out int t) && t >= 1:
                    threads = t;
                    i++;
                    break;
                case "--json" when i + 1 < args.Length:
                    jsonPath = args[++i];
                    break;
                case "--only" when i + 1 < args.Length && Sections.Contains(args[i + 1]):
                    only = args[++i];
                    break;
                case "--no-peer":
                    peer = false;
                    break;
                case "--isa" when i + 1 < args.Length && IsaSetting.Parse(args[i + 1]) is { } setting:
                    isa = setting;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"quick: unknown or incomplete option '{args[i]}'. Usage: quick [--threads N] [--json PATH] [--no-peer] [--only gemm|steps|sharing|methods] [{IsaSetting.Usage}]");
                    return 2;
            }
        }

        if (isa.RelaunchIfNeeded(args) is int exitCode)
        {
            return exitCode;
        }

        MtlThreads.Count = threads;
        var machine = Machine(threads);
        Console.WriteLine($"Mtl quick benchmark: {machine["cpu"]}, {machine["cores"]} cores, {machine["simd"]}, .NET {machine["runtime"]}, {threads} thread(s)");
        Console.WriteLine(isa.Describe());
        machine["isa_setting"] = isa.Name;
        machine["gemm_kernel"] = GemmKernels.Best.ToString();
        machine["peer_openblas_coretype"] = IsaSetting.OpenBlasCore ?? "detected";
        machine["peer_onednn_max_isa"] = IsaSetting.OneDnnIsa ?? "detected";

        WarmUp(seconds: 6);
        bool All(string section) => only is null || only == section;
        var gemm = All("gemm") ? GemmSizes.Select(n => (N: n, Gflops: MeasureGemm(n))).ToList() : [];
        var steps = All("steps") ? Configs.Select(c => (Config: c, Result: MeasureTrainStep(c))).ToList() : [];
        var sharing = All("sharing") ? SharingTasks.Select(t => (Tasks: t, Shared: MeasureEpoch(t, shared: true), Separate: MeasureEpoch(t, shared: false))).ToList() : [];
        var methods = All("methods") ? MethodTasks.SelectMany(MeasureMethodSteps).ToList() : [];

        var peerResults = peer && (All("gemm") || All("steps")) ? PeerRunner.Run(fast: false, IsaSetting.OpenBlasCore, IsaSetting.OneDnnIsa) : null;
        Print(gemm, steps, sharing, peerResults, threads);
        PrintMethods(methods);
        if (jsonPath is not null)
        {
            WriteJson(jsonPath, machine, threads, gemm, steps, sharing, methods, peerResults);
            Console.WriteLine($"wrote {Path.GetFullPath(jsonPath)}");
        }

        return 0;
    }

    /// <summary>
    /// Runs every GEMM size for a few seconds before anything is measured: the JIT tiers the kernels up,
    /// and the <c>dotnet run</c> that launched this process, which keeps most of a core busy for 4-5 s
    /// after the launch, has finished (measured first, the GEMMs lost half their speed to it).
    /// </summary>
    private static void WarmUp(double seconds)
    {
        var tensors = GemmSizes.Select(n => (N: n, A: new Tensor<float>(n, n), B: new Tensor<float>(n, n), C: new Tensor<float>(n, n))).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            foreach (var (n, a, b, c) in tensors)
            {
                Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, n, n, n, a.ReadOnlySpan, b.ReadOnlySpan, c.Span, accumulate: false);
            }
        }
    }

    private static double MeasureGemm(int n)
    {
        var random = new SeededRandom(n);
        var a = Tensor.RandomNormal<float>(random, new Shape(n, n));
        var b = Tensor.RandomNormal<float>(random, new Shape(n, n));
        var c = new Tensor<float>(n, n);
        double seconds = Median.SecondsPerCall(() => Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, n, n, n, a.ReadOnlySpan, b.ReadOnlySpan, c.Span, accumulate: false), totalSeconds: 0.5);
        return 2.0 * n * n * n / seconds / 1e9;
    }

    private static (double MsPerStep, double BytesPerStep) MeasureTrainStep(TrainStepConfig config)
    {
        var step = new TrainStep(config);
        for (int i = 0; i < 10; i++)
        {
            step.Run();
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        int runs = 0;
        double seconds = Median.SecondsPerCall(
            () =>
            {
                step.Run();
                runs++;
            },
            totalSeconds: 2.0);
        long bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Tape.Current.Release();
        return (seconds * 1e3, (double)bytes / runs);
    }

    private static double MeasureEpoch(int tasks, bool shared)
    {
        var bench = new SharingBench(tasks, shared);
        return Median.SecondsPerCall(bench.Epoch, totalSeconds: 1.0, sampleSeconds: 0) * 1e3;
    }

    /// <summary>
    /// Every method at T tasks, timed side by side with the plain step: in each of <c>Rounds</c> rounds one Fit
    /// (three epochs of <see cref="MethodStepBench.Steps"/> steps) of every configuration in turn, so that the
    /// machine's drift hits all of them alike; the ratio to the plain step is taken within each round, and the
    /// medians over rounds are reported. The bytes a steady-state step allocates: see <see cref="BytesPerStep"/>.
    /// </summary>
    private static List<(int Tasks, MethodStepConfig Config, MethodResult Result)> MeasureMethodSteps(int tasks)
    {
        const int Epochs = 3, Rounds = 11;
        var benches = Methods.Select(c => new MethodStepBench(tasks, c, Epochs)).ToArray();
        var bytes = Methods.Select(c => BytesPerStep(tasks, c)).ToArray();
        foreach (var bench in benches)
        {
            for (int i = 0; i < 3; i++)
            {
                bench.Run();
            }
        }

        var ms = Methods.Select(_ => new List<double>()).ToArray();
        var ratios = Methods.Select(_ => new List<double>()).ToArray();
        var round = new double[benches.Length];
        for (int r = 0; r < Rounds; r++)
        {
            for (int i = 0; i < benches.Length; i++)
            {
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                benches[i].Run();
                round[i] = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds / (Epochs * MethodStepBench.Steps);
            }

            for (int i = 0; i < benches.Length; i++)
            {
                ms[i].Add(round[i]);
                ratios[i].Add(round[i] / round[0]); // Methods[0] is the plain step
            }
        }

        return [.. Methods.Select((c, i) => (tasks, c, new MethodResult(Median.Of(ms[i]), Median.Of(ratios[i]), bytes[i])))];
    }

    /// <summary>
    /// The bytes a steady-state step allocates: the difference between Fits of three epochs of
    /// 2·<see cref="MethodStepBench.Steps"/> and of <see cref="MethodStepBench.Steps"/> steps each, over the steps
    /// between, so that what a Fit or an epoch sets up (its batch buffers, the history, the epoch's report) is left out.
    /// </summary>
    private static double BytesPerStep(int tasks, MethodStepConfig config)
    {
        const int Epochs = 3, Steps = MethodStepBench.Steps;
        var shorter = new MethodStepBench(tasks, config, Epochs, Steps);
        var longer = new MethodStepBench(tasks, config, Epochs, 2 * Steps);
        shorter.Run();
        longer.Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        shorter.Run();
        long shorterBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        longer.Run();
        long longerBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        return (double)(longerBytes - shorterBytes) / (Epochs * Steps);
    }

    private static void PrintMethods(List<(int Tasks, MethodStepConfig Config, MethodResult Result)> methods)
    {
        if (methods.Count == 0)
        {
            return;
        }

        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(ci, $"Gradient-level methods through the Trainer: ms per step (batch {MethodStepBench.Batch}, in {MethodStepBench.Inputs}, hidden {MethodStepBench.Hidden}, T regression heads, Adam), x the plain step (median of per-round ratios, timed side by side), bytes allocated per steady-state step"));
        Console.WriteLine("tasks   method           ms/step   x plain   bytes/step");
        foreach (var (t, c, result) in methods)
        {
            Console.WriteLine(string.Create(ci, $"{t,5}   {c.Label,-14} {result.MsPerStep,9:F2} {result.TimesPlain,9:F2} {result.BytesPerStep,12:F0}"));
        }
    }

    private static void Print(
        List<(int N, double Gflops)> gemm,
        List<(TrainStepConfig Config, (double MsPerStep, double BytesPerStep) Result)> steps,
        List<(int Tasks, double Shared, double Separate)> sharing,
        PeerResults? peer,
        int threads)
    {
        if (gemm.Count > 0)
        {
            PrintGemm(gemm, peer, threads);
        }

        if (steps.Count > 0)
        {
            PrintSteps(steps, peer);
        }

        if (sharing.Count > 0)
        {
            PrintSharing(sharing);
        }

        if (peer is not null)
        {
            Console.WriteLine();
            Console.WriteLine($"peer: PyTorch {peer.TorchVersion} on the CPU (matmul through OpenBLAS, kernel {peer.OpenBlasCore ?? "?"}; threads 1 and 2 set in both torch and OpenBLAS)");
        }
    }

    private static void PrintGemm(List<(int N, double Gflops)> gemm, PeerResults? peer, int threads)
    {
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"GEMM float32, square (GFLOP/s; Mtl with {threads} thread(s), PyTorch/OpenBLAS best of 1 and 2 threads)");
        Console.WriteLine("     n      Mtl   PyTorch-1   PyTorch-2   Mtl/PyTorch");
        foreach (var (n, g) in gemm)
        {
            double? p1 = Lookup(peer?.Gemm, (n, 1)), p2 = Lookup(peer?.Gemm, (n, 2));
            double? best = Max(p1, p2);
            Console.WriteLine(string.Create(ci, $"{n,6} {g,8:F1} {Fmt(p1, "F1"),11} {Fmt(p2, "F1"),11} {Fmt(best is null ? null : g / best, "F2"),13}"));
        }

    }

    private static void PrintSteps(List<(TrainStepConfig Config, (double MsPerStep, double BytesPerStep) Result)> steps, PeerResults? peer)
    {
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine("Training step (dense: 3 tasks; cnn: the fashion example's two-head CNN on [64, 1, 28, 56]; Adam; median ms per step; allocated bytes per steady-state step)");
        Console.WriteLine("config   batch    in  hidden   Mtl ms   bytes/step   PyTorch-1   PyTorch-2   speed-up");
        foreach (var (c, (ms, bytes)) in steps)
        {
            double? p1 = Lookup(peer?.TrainStepMs, (c.Name, 1)), p2 = Lookup(peer?.TrainStepMs, (c.Name, 2));
            double? best = Min(p1, p2);
            Console.WriteLine(string.Create(ci, $"{c.Name,-7} {c.Batch,6} {c.In,5} {c.Hidden,7} {ms,8:F3} {bytes,12:F0} {Fmt(p1, "F3"),11} {Fmt(p2, "F3"),11} {Fmt(best is null ? null : best / ms, "F2"),10}"));
        }

    }

    private static void PrintSharing(List<(int Tasks, double Shared, double Separate)> sharing)
    {
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine(string.Create(ci, $"Shared trunk vs separate models: ms per epoch ({SharingBench.Rows} rows, batch {SharingBench.Batch}, in {SharingBench.Inputs}, hidden {SharingBench.Hidden})"));
        Console.WriteLine("tasks   shared   separate   separate/shared");
        foreach (var (t, s, sep) in sharing)
        {
            Console.WriteLine(string.Create(ci, $"{t,5} {s,8:F1} {sep,10:F1} {sep / s,17:F2}"));
        }
    }

    private static void WriteJson(
        string path,
        Dictionary<string, object> machine,
        int threads,
        List<(int N, double Gflops)> gemm,
        List<(TrainStepConfig Config, (double MsPerStep, double BytesPerStep) Result)> steps,
        List<(int Tasks, double Shared, double Separate)> sharing,
        List<(int Tasks, MethodStepConfig Config, MethodResult Result)> methods,
        PeerResults? peer)
    {
        var doc = new Dictionary<string, object?>
        {
            ["machine"] = machine,
            ["gemm"] = gemm.Select(g => new Dictionary<string, object> { ["m"] = g.N, ["n"] = g.N, ["k"] = g.N, ["threads"] = threads, ["gflops"] = Math.Round(g.Gflops, 2) }).ToList(),
            ["train_step"] = steps.Select(s => new Dictionary<string, object>
            {
                ["config"] = s.Config.Name,
                ["batch"] = s.Config.Batch,
                ["in"] = s.Config.In,
                ["hidden"] = s.Config.Hidden,
                ["tasks"] = 3,
                ["ms_per_step"] = Math.Round(s.Result.MsPerStep, 4),
                ["allocated_bytes_per_step"] = Math.Round(s.Result.BytesPerStep, 1),
            }).ToList(),
            ["multitask_vs_separate"] = sharing.Select(s => new Dictionary<string, object>
            {
                ["tasks"] = s.Tasks,
                ["shared_ms_per_epoch"] = Math.Round(s.Shared, 3),
                ["separate_ms_per_epoch"] = Math.Round(s.Separate, 3),
                ["ratio"] = Math.Round(s.Separate / s.Shared, 3),
            }).ToList(),
            ["method_step"] = methods.Select(m => new Dictionary<string, object>
            {
                ["tasks"] = m.Tasks,
                ["method"] = m.Config.Method,
                ["space"] = m.Config.Space.ToString(),
                ["batch"] = MethodStepBench.Batch,
                ["in"] = MethodStepBench.Inputs,
                ["hidden"] = MethodStepBench.Hidden,
                ["ms_per_step"] = Math.Round(m.Result.MsPerStep, 4),
                ["times_plain"] = Math.Round(m.Result.TimesPlain, 3),
                ["allocated_bytes_per_step"] = Math.Round(m.Result.BytesPerStep, 1),
            }).ToList(),
            ["peer"] = peer is null ? null : new Dictionary<string, object>
            {
                ["name"] = "pytorch",
                ["version"] = peer.TorchVersion,
                ["openblas_core"] = peer.OpenBlasCore ?? "unknown",
                ["gemm"] = peer.Gemm.Select(kv => new Dictionary<string, object> { ["n"] = kv.Key.N, ["threads"] = kv.Key.Threads, ["gflops"] = kv.Value }).ToList(),
                ["train_step"] = peer.TrainStepMs.Select(kv => new Dictionary<string, object> { ["config"] = kv.Key.Config, ["threads"] = kv.Key.Threads, ["ms_per_step"] = kv.Value }).ToList(),
            },
        };
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }

    private static Dictionary<string, object> Machine(int threads) => new()
    {
        ["cpu"] = CpuName(),
        ["cores"] = Environment.ProcessorCount,
        ["threads"] = threads,
        ["simd"] = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : Vector128.IsHardwareAccelerated ? "128-bit" : "scalar",
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = Environment.Version.ToString(),
    };

    private static string CpuName()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static double? Lookup<TKey>(Dictionary<TKey, double>? d, TKey key)
        where TKey : notnull => d is not null && d.TryGetValue(key, out double v) ? v : null;

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static double? Min(double? a, double? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static string Fmt(double? v, string format) => v is null ? "-" : v.Value.ToString(format, CultureInfo.InvariantCulture);
}
