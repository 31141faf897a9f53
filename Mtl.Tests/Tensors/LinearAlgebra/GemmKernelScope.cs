using Mtl.Tensors;

namespace Mtl.Tests.Tensors.LinearAlgebra;

/// <summary>
/// Runs a check under each GEMM kernel kind this machine supports, so the tests cover every kernel the
/// hardware has and never one it lacks: the same test passes or fails on an AVX-512, an AVX2 and a
/// 128-bit machine for the same reasons. (What each kind would choose is checked separately and for
/// every kind, through the pure <see cref="GemmPlan"/>.)
/// </summary>
internal static class GemmKernelScope
{
    /// <summary>Calls <paramref name="check"/> once per supported kind with that kind active.</summary>
    public static void ForEach(Action<GemmKernelKind> check)
    {
        foreach (var kind in GemmKernels.Supported)
        {
            With(kind, () => check(kind));
        }
    }

    /// <summary>Runs <paramref name="action"/> with <paramref name="kind"/> active, then restores the previous one.</summary>
    public static void With(GemmKernelKind kind, Action action)
    {
        var previous = GemmKernels.Active;
        try
        {
            GemmKernels.Active = kind;
            action();
        }
        finally
        {
            GemmKernels.Active = previous;
        }
    }
}
