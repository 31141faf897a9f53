using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// GEMM for products small enough to sit in L1/L2 whole, where packing would cost as much as the
/// multiply: the micro-kernel reads op(A) in place (strided broadcasts) and op(B) in place when it is
/// stored k×n. Only what the kernel cannot read in place is packed: op(B) when it is transposed, the
/// last partial column strip of B and the last partial row panel of A (zero-padded, so the kernel
/// never reads past a span).
/// </summary>
/// <remarks>
/// The arithmetic per element is the same as <see cref="GemmBlocked"/>'s: one FMA chain per KC slice,
/// slices added in order. So choosing this path changes no bit of the result; it only saves copies.
/// </remarks>
internal static unsafe class GemmDirect
{
    /// <summary>
    /// C[i0..i1, j0..j1] (=|+=) op(A)·op(B) restricted to those rows and columns, without packing what can
    /// be read in place. A block that does not end at m (or n) must end on a whole register tile.
    /// </summary>
    public static void Run<T>(GemmKernelKind kind, bool ta, bool tb, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int i0, int i1, int j0, int j1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind);
        int kcMax = Math.Min(GemmBlocked.Kc, k);

        // Row panels of A that end by m are read in place, and column strips of B that end by n when B
        // is stored k×n; the rest ([mFull, i1), [nFull, j1)) is packed with zero padding.
        int mFull = i0 + ((i1 - i0) / mr * mr), nFull = tb ? j0 : j0 + ((j1 - j0) / nr * nr);
        T* packedA = GemmBuffers<T>.A(mr * kcMax);
        T* packedB = GemmBuffers<T>.B(GemmBlocked.RoundUp(j1 - nFull, nr) * kcMax);
        T* edge = stackalloc T[GemmTile.MaxTile];

        // Element (i, p) of op(A) is at a[i·aRow + p·aStep] as stored.
        nint aRow = ta ? 1 : k, aStep = ta ? m : 1;
        for (int pc = 0; pc < k; pc += GemmBlocked.Kc)
        {
            int kc = Math.Min(GemmBlocked.Kc, k - pc);
            bool store = pc == 0 && !accumulate;
            if (nFull < j1)
            {
                GemmPacking.PackB(tb, b, k, n, pc, kc, nFull, j1 - nFull, nr, packedB);
            }

            for (int ir = i0; ir < i1; ir += mr)
            {
                int rows = Math.Min(mr, i1 - ir);
                T* aTile;
                nint tileRow = aRow, tileStep = aStep;
                if (ir < mFull)
                {
                    aTile = a + (ir * aRow) + (pc * aStep);
                }
                else
                {
                    GemmPacking.PackA(ta, a, m, k, ir, rows, pc, kc, mr, packedA);
                    aTile = packedA;
                    (tileRow, tileStep) = (1, mr);
                }

                T* cRow = c + ((nint)ir * n);
                for (int jr = j0; jr < j1; jr += nr)
                {
                    int cols = Math.Min(nr, j1 - jr);
                    if (jr < nFull)
                    {
                        GemmTile.Run(kind, kc, aTile, tileRow, tileStep, b + ((nint)pc * n) + jr, n, cRow + jr, n, rows, cols, store, edge);
                    }
                    else
                    {
                        T* bPanel = packedB + ((nint)(jr - nFull) * kc);
                        GemmTile.Run(kind, kc, aTile, tileRow, tileStep, bPanel, nr, cRow + jr, n, rows, cols, store, edge);
                    }
                }
            }
        }
    }
}
