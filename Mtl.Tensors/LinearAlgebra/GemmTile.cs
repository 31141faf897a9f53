using System.Numerics;
using System.Runtime.CompilerServices;

namespace Mtl.Tensors;

/// <summary>One MR×NR tile of C: the micro-kernel on a full tile, or on scratch for an edge tile.</summary>
internal static unsafe class GemmTile
{
    /// <summary>Largest MR·NR of any kernel (8 × 32 floats), the size of the edge-tile scratch.</summary>
    public const int MaxTile = 256;

    /// <summary>
    /// C[0..rows, 0..cols] (=|+=) Σ_p op(A)[r, p]·op(B)[p, j] over one KC slice (kc ≥ 1). Element (r, p) of A is at
    /// a[r·aRow + p·aStep] and row p of B starts at b + p·bStep, so the same kernel reads packed panels
    /// (aRow 1, aStep MR, bStep NR) or, for small products, the operands in place. An edge tile
    /// (rows &lt; MR or cols &lt; NR) must come from zero-padded panels; its full tile goes to
    /// <paramref name="edge"/> and only the valid corner reaches C, with the same arithmetic per element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<T>(GemmKernelKind kind, int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, int ldc, int rows, int cols, bool store, T* edge)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind);
        if (rows == mr && cols == nr)
        {
            Kernel(kind, kc, a, aRow, aStep, b, bStep, c, ldc, store);
            return;
        }

        Kernel(kind, kc, a, aRow, aStep, b, bStep, edge, nr, store: true);
        for (int r = 0; r < rows; r++)
        {
            T* src = edge + ((nint)r * nr);
            T* dst = c + ((nint)r * ldc);
            for (int j = 0; j < cols; j++)
            {
                dst[j] = store ? src[j] : dst[j] + src[j];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<T>(GemmKernelKind kind, int kc, T* a, nint aRow, nint aStep, T* b, nint bStep, T* c, nint ldc, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case GemmKernelKind.Vector512:
                GemmMicroKernel512.Run(kc, a, aRow, aStep, b, bStep, c, ldc, store);
                break;
            case GemmKernelKind.Vector256:
                GemmMicroKernel256.Run(kc, a, aRow, aStep, b, bStep, c, ldc, store);
                break;
            case GemmKernelKind.Vector128:
                GemmMicroKernel128.Run(kc, a, aRow, aStep, b, bStep, c, ldc, store);
                break;
            default:
                GemmMicroKernelScalar.Run(kc, a, aRow, aStep, b, bStep, c, ldc, store);
                break;
        }
    }
}
