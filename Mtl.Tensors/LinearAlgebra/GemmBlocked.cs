using System.Numerics;
using System.Runtime.CompilerServices;

namespace Mtl.Tensors;

/// <summary>
/// The cache-blocked GEMM loop nest (Goto &amp; van de Geijn 2008, "Anatomy of high-performance matrix
/// multiplication"; the BLIS loop order) over one rectangular block of C.
/// </summary>
/// <remarks>
/// Loops, outermost first: jc over NC columns, pc over KC of the k dimension (pack a KC×NC block of
/// op(B)), ic over MC rows (pack an MC×KC block of op(A)), jr over NR columns, ir over MR rows, and the
/// micro-kernel. The KC×NR micro-panel of B stays in L1 while the ir loop streams the MR×KC panels of A
/// from L2, and the MC×KC block of A stays in L2 for the whole jr loop.
/// <para>
/// Each element of C receives, per KC slice, one sum formed in a register from zero in the order
/// p = pc, pc+1, …; slices are added in increasing pc. KC is a constant, and how C is split between
/// threads only decides which thread does that arithmetic, so results are bitwise independent of the
/// thread count.
/// </para>
/// </remarks>
internal static unsafe class GemmBlocked
{
    /// <summary>
    /// Depth of a k slice. A KC×NR float panel of B is 256·32·4 B = 32 KiB (of a 48 KiB L1 on Zen 4/5;
    /// 256·16·4 B = 16 KiB of 32 KiB for the AVX2 tile), and a deeper slice amortises each write-back
    /// of the C tile over more FMAs. It must not depend on the thread count (determinism).
    /// </summary>
    public const int Kc = 256;

    /// <summary>
    /// Rows of op(A) packed at once: an MC×KC block of 256 KiB (floats) or 256 KiB (doubles, MC 128)
    /// stays resident in a 512 KiB-1 MiB L2 while the jr loop sweeps all of the B block past it.
    /// </summary>
    public static int Mc<T>()
        where T : unmanaged => 1024 * 256 / (Kc * sizeof(T));

    /// <summary>Columns of op(B) packed at once: a KC×NC block of 2 MiB (floats) lives in L3.</summary>
    public const int Nc = 2048;

    /// <summary>Largest MR·NR of any kernel (8 × 32 floats), the size of the edge-tile scratch.</summary>
    private const int MaxTile = 256;

    /// <summary>C[i0..i1, j0..j1] (=|+=) op(A)·op(B) restricted to those rows and columns.</summary>
    public static void Run<T>(GemmKernelKind kind, bool ta, bool tb, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind), mcBlock = Mc<T>();
        int kcMax = Math.Min(Kc, k);
        T* packedA = GemmBuffers<T>.A(RoundUp(Math.Min(mcBlock, i1 - i0), mr) * kcMax);
        T* packedB = GemmBuffers<T>.B(RoundUp(Math.Min(Nc, j1 - j0), nr) * kcMax);
        T* edge = stackalloc T[MaxTile];
        for (int jc = j0; jc < j1; jc += Nc)
        {
            int nc = Math.Min(Nc, j1 - jc);
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kc = Math.Min(Kc, k - pc);
                bool store = pc == 0 && !accumulate;
                GemmPacking.PackB(tb, b, k, n, pc, kc, jc, nc, nr, packedB);
                for (int ic = i0; ic < i1; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, i1 - ic);
                    GemmPacking.PackA(ta, a, m, k, ic, mc, pc, kc, mr, packedA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        T* bPanel = packedB + ((nint)jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            T* aPanel = packedA + ((nint)ir * kc);
                            T* cTile = c + ((nint)(ic + ir) * n) + jc + jr;
                            if (rows == mr && cols == nr)
                            {
                                Kernel(kind, kc, aPanel, bPanel, cTile, n, store);
                            }
                            else
                            {
                                // The padded panels give a full tile; only its valid corner reaches C.
                                Kernel(kind, kc, aPanel, bPanel, edge, nr, store: true);
                                WriteEdge(edge, nr, cTile, n, rows, cols, store);
                            }
                        }
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<T>(GemmKernelKind kind, int kc, T* a, T* b, T* c, nint ldc, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (kind)
        {
            case GemmKernelKind.Vector512:
                GemmMicroKernel512.Run(kc, a, b, c, ldc, store);
                break;
            case GemmKernelKind.Vector256:
                GemmMicroKernel256.Run(kc, a, b, c, ldc, store);
                break;
            default:
                GemmMicroKernelScalar.Run(kc, a, b, c, ldc, store);
                break;
        }
    }

    /// <summary>Copies (or adds) the rows×cols corner of a tile computed into scratch.</summary>
    private static void WriteEdge<T>(T* tile, int nr, T* c, int ldc, int rows, int cols, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < rows; r++)
        {
            T* src = tile + ((nint)r * nr);
            T* dst = c + ((nint)r * ldc);
            for (int j = 0; j < cols; j++)
            {
                dst[j] = store ? src[j] : dst[j] + src[j];
            }
        }
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
