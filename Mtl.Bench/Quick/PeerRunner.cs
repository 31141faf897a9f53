using System.Diagnostics;
using System.Text.Json;

namespace Mtl.Bench.Quick;

/// <summary>PyTorch's figures for the same GEMM sizes and training steps, from Peer/pytorch_peer.py.</summary>
internal sealed record PeerResults(string TorchVersion, string? OpenBlasCore, Dictionary<(int N, int Threads), double> Gemm, Dictionary<(string Config, int Threads), double> TrainStepMs);

/// <summary>Runs the PyTorch peer script in a child process, or explains how to install PyTorch.</summary>
internal static class PeerRunner
{
    private const string Python = "/usr/bin/python3";
    private const string InstallHint = "apt-get update && apt-get install -y python3-torch libopenblas0-pthread";

    /// <summary>
    /// The peer's results, or null (with the reason printed) when PyTorch is not available.
    /// <paramref name="openBlasCore"/> is the OpenBLAS kernel to force (OPENBLAS_CORETYPE), or null to
    /// let OpenBLAS detect the CPU; <paramref name="oneDnnIsa"/> caps oneDNN's instruction set (its
    /// convolutions), or null to let it detect.
    /// </summary>
    public static PeerResults? Run(bool fast, string? openBlasCore, string? oneDnnIsa = null)
    {
        string? script = FindScript();
        if (script is null)
        {
            Console.WriteLine("peer: Mtl.Bench/Peer/pytorch_peer.py not found next to the build; skipping PyTorch.");
            return null;
        }

        if (!File.Exists(Python) || !HasTorch())
        {
            Console.WriteLine($"peer: PyTorch is not installed for {Python}; skipping it. Install it with: {InstallHint}");
            return null;
        }

        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        if (fast)
        {
            psi.ArgumentList.Add("--fast");
        }

        psi.Environment.Remove("OPENBLAS_CORETYPE");
        psi.Environment.Remove("OPENBLAS_L2_SIZE");
        psi.Environment.Remove("OPENBLAS_NUM_THREADS");
        psi.Environment.Remove("ONEDNN_MAX_CPU_ISA");
        psi.Environment.Remove("DNNL_MAX_CPU_ISA");
        if (openBlasCore is not null)
        {
            psi.Environment["OPENBLAS_CORETYPE"] = openBlasCore;
        }

        if (oneDnnIsa is not null)
        {
            psi.Environment["ONEDNN_MAX_CPU_ISA"] = oneDnnIsa;
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"peer: the PyTorch script failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
            return null;
        }

        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        var gemm = new Dictionary<(int, int), double>();
        foreach (var e in root.GetProperty("gemm").EnumerateArray())
        {
            gemm[(e.GetProperty("n").GetInt32(), e.GetProperty("threads").GetInt32())] = e.GetProperty("gflops").GetDouble();
        }

        var steps = new Dictionary<(string, int), double>();
        foreach (var e in root.GetProperty("train_step").EnumerateArray())
        {
            steps[(e.GetProperty("config").GetString()!, e.GetProperty("threads").GetInt32())] = e.GetProperty("ms_per_step").GetDouble();
        }

        string? core = root.TryGetProperty("openblas_core", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return new PeerResults(root.GetProperty("torch").GetString() ?? "?", core, gemm, steps);
    }

    private static bool HasTorch()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "Mtl.Bench", "Peer", "pytorch_peer.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
