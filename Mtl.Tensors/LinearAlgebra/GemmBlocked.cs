using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// The cache-blocked GEMM loop nest (Goto &amp; van de Geijn 2008, "Anatomy of high-performance matrix
/// multiplication"; the BLIS loop order) over one rectangular block of C.
/// </summary>
/// <remarks>
/// Loops, outermost first: jc over NC columns, pc over KC of the k dimension (pack a KC×NC block of
/// op(B)), ic over MC rows (an MC×KC block of op(A)), jr over NR columns, ir over MR rows, and the
/// micro-kernel. The KC×NR micro-panel of B stays in L1 while the ir loop streams the MR×KC panels of A
/// from L2, and the MC×KC block of A stays in L2 for the whole jr loop.
/// <para>
/// When A is stored m×k its full row panels are not packed: the kernel broadcasts from MR rows of A
/// read front to back, which costs no more than a packed panel, while packing them is a scalar
/// transpose that took a quarter of the time at 256³. Transposed A is packed: it is a plain copy, and
/// reading it in place would walk a column at a stride of m, which for power-of-two m maps every k step
/// to the same L1 set.
/// </para>
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

    /// <summary>Elements of one packed KC×NC block of op(B) for an n-column product (the buffer a <see cref="GemmTeam{T}"/> needs).</summary>
    public static int BlockElements(int n, int k, int nr) => RoundUp(Math.Min(Nc, n), nr) * Math.Min(Kc, k);

    /// <summary>
    /// C[i0..i1, j0..j1] (=|+=) op(A)·op(B) restricted to those rows and columns. With a
    /// <paramref name="team"/>, this thread is part <paramref name="part"/> of it: every part runs the
    /// same column range and packs its share of each block of op(B) into the team's buffers (see
    /// <see cref="GemmTeam{T}"/>); rows stay each part's own.
    /// </summary>
    public static void Run<T>(GemmKernelKind kind, bool ta, bool tb, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int i0, int i1, int j0, int j1, GemmTeam<T>? team = null, int part = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = GemmKernels.Mr(kind), nr = GemmKernels.Nr<T>(kind), mcBlock = Mc<T>();
        int kcMax = Math.Min(Kc, k);
        T* packedA = GemmBuffers<T>.A(RoundUp(Math.Max(1, Math.Min(mcBlock, i1 - i0)), mr) * kcMax);
        T* ownB = team is null ? GemmBuffers<T>.B(RoundUp(Math.Min(Nc, j1 - j0), nr) * kcMax) : null;
        T* edge = stackalloc T[GemmTile.MaxTile];
        int block = 0;
        for (int jc = j0; jc < j1; jc += Nc)
        {
            int nc = Math.Min(Nc, j1 - jc);
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kc = Math.Min(Kc, k - pc);
                bool store = pc == 0 && !accumulate;
                T* packedB;
                if (team is null)
                {
                    packedB = ownB;
                    GemmPacking.PackB(tb, b, k, n, pc, kc, jc, nc, nr, packedB);
                }
                else
                {
                    packedB = team.Block(block++ & 1);
                    int panels = (nc + nr - 1) / nr;
                    int first = part * panels / team.Parts, last = (part + 1) * panels / team.Parts;
                    if (first < last)
                    {
                        int from = first * nr;
                        GemmPacking.PackB(tb, b, k, n, pc, kc, jc + from, Math.Min(nc, last * nr) - from, nr, packedB + ((nint)from * kc));
                    }

                    team.Arrive();
                }

                for (int ic = i0; ic < i1; ic += mcBlock)
                {
                    int mc = Math.Min(mcBlock, i1 - ic);

                    // Row panels [0, inPlace) of this block are read from A as stored, the rest packed.
                    int inPlace = ta ? 0 : Math.Min(mc, (m - ic) / mr * mr);
                    if (inPlace < mc)
                    {
                        GemmPacking.PackA(ta, a, m, k, ic + inPlace, mc - inPlace, pc, kc, mr, packedA);
                    }

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int cols = Math.Min(nr, nc - jr);
                        T* bPanel = packedB + ((nint)jr * kc);
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int rows = Math.Min(mr, mc - ir);
                            T* cTile = c + ((nint)(ic + ir) * n) + jc + jr;
                            if (ir < inPlace)
                            {
                                T* aRows = a + ((nint)(ic + ir) * k) + pc;
                                GemmTile.Run(kind, kc, aRows, k, 1, bPanel, nr, cTile, n, rows, cols, store, edge);
                            }
                            else
                            {
                                T* aPanel = packedA + ((nint)(ir - inPlace) * kc);
                                GemmTile.Run(kind, kc, aPanel, 1, mr, bPanel, nr, cTile, n, rows, cols, store, edge);
                            }
                        }
                    }
                }
            }
        }
    }

    internal static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
