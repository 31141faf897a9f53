using System.Runtime.Intrinsics;
using Mtl.Tensors;

namespace Mtl.Tests.Tensors;

/// <summary>
/// The CI runs the suite three times: natively, with the runtime's AVX-512 switched off and with AVX2
/// switched off (<c>.ci/run</c>). These tests prove that each setting took effect, so a reduced-ISA run
/// cannot silently test the native kernels again: on .NET 10 only <c>DOTNET_EnableAVX512=0</c> turns
/// AVX-512 off (the older <c>DOTNET_EnableAVX512F=0</c> is ignored), and <c>DOTNET_EnableAVX2=0</c> also
/// takes Vector256 and FMA away, leaving 128-bit vectors.
/// </summary>
public class CpuFeatureTests
{
    [Test]
    public void ReportsTheKernelKindOfThisRun()
    {
        string line = $"isa: GEMM kernel {GemmKernels.Best}; Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}; supported kinds {string.Join(", ", GemmKernels.Supported)}";
        TestContext.Out.WriteLine(line);
        Assert.That(GemmKernels.Supported, Does.Contain(GemmKernels.Best).And.Contain(GemmKernelKind.Scalar));
        Assert.That(GemmKernels.Supported, Is.Ordered, "kinds are listed narrowest first");
    }

    [Test]
    public void Avx512SwitchTookEffect()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") != "0")
        {
            Assert.Pass("DOTNET_EnableAVX512 is not 0 in this run: nothing to check");
        }

        Assert.That(Vector512.IsHardwareAccelerated, Is.False, "DOTNET_EnableAVX512=0 but Vector512 is still accelerated");
        Assert.That(GemmKernels.Best, Is.LessThan(GemmKernelKind.Vector512));
        Assert.That(GemmKernels.IsSupported(GemmKernelKind.Vector512), Is.False);
    }

    [Test]
    public void Avx2SwitchTookEffect()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX2") != "0")
        {
            Assert.Pass("DOTNET_EnableAVX2 is not 0 in this run: nothing to check");
        }

        Assert.That(Vector256.IsHardwareAccelerated, Is.False, "DOTNET_EnableAVX2=0 but Vector256 is still accelerated");
        Assert.That(GemmKernels.Best, Is.LessThanOrEqualTo(GemmKernelKind.Vector128));
    }

    /// <summary>Forcing a kind the hardware lacks is refused with the reason, not run into an illegal instruction.</summary>
    [Test]
    public void ForcingAnUnsupportedKernelIsRefused()
    {
        foreach (var kind in Enum.GetValues<GemmKernelKind>().Where(k => !GemmKernels.IsSupported(k)))
        {
            var error = Assert.Throws<PlatformNotSupportedException>(() => GemmKernels.Active = kind);
            Assert.That(error!.Message, Does.Contain(kind.ToString()).And.Contain(GemmKernels.Best.ToString()));
        }

        Assert.That(GemmKernels.Active, Is.EqualTo(GemmKernels.Best));
    }
}
