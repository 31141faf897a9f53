using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mtl.Tensors;

namespace Mtl.Bench.Quick;

/// <summary>
/// Which instruction set quick mode measures Mtl with, and the OpenBLAS kernel and oneDNN ISA the PyTorch
/// peer gets to match it. Most users' CPUs are AVX2-only, so an AVX-512 host must be able to measure as one: the
/// runtime's AVX-512 is switched off (<c>DOTNET_EnableAVX512=0</c>; .NET 10 ignores the older
/// <c>DOTNET_EnableAVX512F</c>) and the peer runs OpenBLAS's Haswell kernel. A runtime switch only acts at
/// start-up, so quick mode starts itself again with it set, and checks that it took effect.
/// </summary>
/// <param name="Name">native, avx2 or vector128.</param>
/// <param name="RuntimeSwitch">The DOTNET_Enable* variable set to 0 for this setting, or null.</param>
internal sealed record IsaSetting(string Name, string? RuntimeSwitch)
{
    public const string Usage = "--isa native|avx2|vector128";

    /// <summary>The setting for <paramref name="name"/>, or null when unknown.</summary>
    public static IsaSetting? Parse(string name) => name switch
    {
        "native" => new IsaSetting("native", null),
        "avx2" => new IsaSetting("avx2", "DOTNET_EnableAVX512"),
        "vector128" => new IsaSetting("vector128", "DOTNET_EnableAVX2"),
        _ => null,
    };

    /// <summary>Whether this process runs with the setting in effect.</summary>
    public bool InEffect => Name switch
    {
        "avx2" => !Vector512.IsHardwareAccelerated,
        "vector128" => !Vector256.IsHardwareAccelerated,
        _ => true,
    };

    /// <summary>
    /// The OpenBLAS kernel of the same instruction set as Mtl's GEMM kernel in this process: OpenBLAS
    /// 0.3.21 does not recognise every recent CPU and falls back to a generic SSE3 kernel (Prescott) on
    /// some, which would flatter Mtl. Null (OpenBLAS detects) off x86-64.
    /// </summary>
    public static string? OpenBlasCore => RuntimeInformation.ProcessArchitecture != Architecture.X64 ? null : GemmKernels.Best switch
    {
        GemmKernelKind.Vector512 => "SkylakeX",
        GemmKernelKind.Vector256 => "Haswell",
        GemmKernelKind.Vector128 => "Nehalem",
        _ => null,
    };

    /// <summary>
    /// The highest instruction set the peer's oneDNN (PyTorch's convolutions) may use (ONEDNN_MAX_CPU_ISA),
    /// matching Mtl's kernel in this process: oneDNN detects the CPU on its own and would run its AVX-512 code
    /// against Mtl's AVX2. Null (oneDNN detects) for the native AVX-512 setting and off x86-64.
    /// </summary>
    public static string? OneDnnIsa => RuntimeInformation.ProcessArchitecture != Architecture.X64 ? null : GemmKernels.Best switch
    {
        GemmKernelKind.Vector256 => "AVX2",
        GemmKernelKind.Vector128 => "SSE41",
        _ => null,
    };

    /// <summary>One line for the report's header.</summary>
    public string Describe() =>
        $"ISA setting {Name}" + (RuntimeSwitch is null ? string.Empty : $" ({RuntimeSwitch}=0)")
        + $": Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}; Mtl GEMM kernel {GemmKernels.Best}; "
        + (OpenBlasCore is null ? "peer's OpenBLAS kernel detected by OpenBLAS" : $"peer's OpenBLAS kernel forced to {OpenBlasCore} (OPENBLAS_CORETYPE)")
        + (OneDnnIsa is null ? "; peer's oneDNN ISA detected" : $"; peer's oneDNN capped at {OneDnnIsa} (ONEDNN_MAX_CPU_ISA)");

    /// <summary>
    /// Runs quick mode again in a child process with the runtime switch set, when this process does not
    /// have it; returns the child's exit code, or null when this process already has the setting.
    /// </summary>
    public int? RelaunchIfNeeded(string[] args)
    {
        if (InEffect)
        {
            return null;
        }

        if (RuntimeSwitch is null || Environment.GetEnvironmentVariable(RuntimeSwitch) == "0")
        {
            Console.Error.WriteLine($"quick: {RuntimeSwitch}=0 is set but did not take effect (Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}); this runtime cannot measure the {Name} setting.");
            return 3;
        }

        string host = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add(typeof(IsaSetting).Assembly.Location);
        }

        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[RuntimeSwitch] = "0";
        Console.WriteLine($"quick: starting again with {RuntimeSwitch}=0 for the {Name} setting");
        using var child = Process.Start(psi)!;
        child.WaitForExit();
        return child.ExitCode;
    }
}
