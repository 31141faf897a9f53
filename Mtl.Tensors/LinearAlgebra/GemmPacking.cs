using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors;

/// <summary>
/// Copies blocks of op(A) and op(B) into the panel layouts the micro-kernels stream through, applying
/// the transposes on the way so no transposed matrix is ever materialised.
/// </summary>
/// <remarks>
/// A block of op(A) (mc×kc) becomes ⌈mc/MR⌉ panels of MR×kc stored k-major (element (r, p) at
/// p·MR + r), so one k step of the kernel reads MR consecutive elements. A block of op(B) (kc×nc)
/// becomes ⌈nc/NR⌉ panels of kc×NR stored row by row (element (p, j) at p·NR + j), so one k step
/// reads NR consecutive elements as whole vectors. Rows and columns past the matrix edge are zero, so
/// edge tiles run the same kernel and contribute exact zeros to lanes that are never written back.
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs op(A)[i0..i0+mc, p0..p0+kc] into MR-row panels at <paramref name="dst"/>. A is stored m×k,
    /// or k×m when <paramref name="transposed"/>.
    /// </summary>
    public static void PackA<T>(bool transposed, T* a, int m, int k, int i0, int mc, int p0, int kc, int mr, T* dst)
        where T : unmanaged
    {
        if (transposed)
        {
            // op(A)(i, p) = a[p·m + i]: each k step is a contiguous run of rows.
            CopyPanels(a + ((nint)p0 * m) + i0, m, kc, mc, mr, dst);
            return;
        }

        for (int ir = 0; ir < mc; ir += mr)
        {
            // op(A)(i, p) = a[i·k + p]: transpose MR rows into the panel.
            int rows = Math.Min(mr, mc - ir);
            Transpose(a + ((nint)(i0 + ir) * k) + p0, k, rows, kc, dst + ((nint)ir * kc), mr);
        }
    }

    /// <summary>
    /// Packs op(B)[p0..p0+kc, j0..j0+nc] into NR-column panels at <paramref name="dst"/>. B is stored
    /// k×n, or n×k when <paramref name="transposed"/>.
    /// </summary>
    public static void PackB<T>(bool transposed, T* b, int k, int n, int p0, int kc, int j0, int nc, int nr, T* dst)
        where T : unmanaged
    {
        if (!transposed)
        {
            // op(B)(p, j) = b[p·n + j]: each k step is a contiguous run of columns.
            CopyPanels(b + ((nint)p0 * n) + j0, n, kc, nc, nr, dst);
            return;
        }

        for (int jr = 0; jr < nc; jr += nr)
        {
            // op(B)(p, j) = b[j·k + p]: transpose NR rows of B into the panel.
            int cols = Math.Min(nr, nc - jr);
            Transpose(b + ((nint)(j0 + jr) * k) + p0, k, cols, kc, dst + ((nint)jr * kc), nr);
        }
    }

    /// <summary>
    /// Cuts the rows × cols block at <paramref name="src"/> (row stride <paramref name="ld"/>) into
    /// panels of <paramref name="width"/> columns, panel q holding columns [q·width, (q+1)·width) row by
    /// row (element (p, j) at q·rows·width + p·width + j − q·width), zero past cols.
    /// <para>
    /// Source rows are read front to back a few at a time (<see cref="RowsPerPass"/>), all panels per
    /// pass. Panel by panel instead, each short piece comes from another row ld apart: for the
    /// power-of-two strides of typical layers those rows share an L1 set and the reads run at L2
    /// latency (a 256×512 float block took 80 µs that way, see the packing benchmark).
    /// </para>
    /// </summary>
    private static void CopyPanels<T>(T* src, int ld, int rows, int cols, int width, T* dst)
        where T : unmanaged
    {
        for (int p0 = 0; p0 < rows; p0 += RowsPerPass)
        {
            int p1 = Math.Min(rows, p0 + RowsPerPass);
            for (int j = 0; j < cols; j += width)
            {
                int count = Math.Min(width, cols - j);
                T* from = src + ((nint)p0 * ld) + j;
                T* to = dst + ((nint)j * rows) + ((nint)p0 * width);
                for (int p = p0; p < p1; p++, from += ld, to += width)
                {
                    CopyPadded(from, to, count, width);
                }
            }
        }
    }

    /// <summary>Rows of the source copied per pass of <see cref="CopyPanels"/>: their lines stay in L1 across the pass.</summary>
    private const int RowsPerPass = 8;

    /// <summary>
    /// dst[p·width + r] = src[r·ld + p] for r &lt; rows, p &lt; kc, and zero for rows..width. Groups of W
    /// rows (W = 8 floats or 4 doubles) are transposed W×W blocks at a time in registers, walking the
    /// group front to back; leftover rows and columns go element by element. Reading only W rows at once
    /// matters: for the power-of-two k of typical layers the rows are ld apart and all map to one L1 set,
    /// and W lines fit in a set's 8-12 ways where a whole panel of NR rows would thrash it.
    /// </summary>
    private static void Transpose<T>(T* src, int ld, int rows, int kc, T* dst, int width)
        where T : unmanaged
    {
        int r = 0;
        if (GemmTransposeBlock.IsSupported<T>())
        {
            int w = Vector256<T>.Count;
            for (; r + w <= rows; r += w)
            {
                T* s = src + ((nint)r * ld);
                T* d = dst + r;
                int p = 0;
                for (; p + w <= kc; p += w)
                {
                    GemmTransposeBlock.Run(s + p, ld, d + ((nint)p * width), width);
                }

                for (; p < kc; p++)
                {
                    for (int q = 0; q < w; q++)
                    {
                        d[((nint)p * width) + q] = s[((nint)q * ld) + p];
                    }
                }
            }
        }

        for (; r < rows; r++)
        {
            T* s = src + ((nint)r * ld);
            T* d = dst + r;
            for (int p = 0; p < kc; p++)
            {
                d[(nint)p * width] = s[p];
            }
        }

        for (r = rows; r < width; r++)
        {
            for (int p = 0; p < kc; p++)
            {
                dst[((nint)p * width) + r] = default;
            }
        }
    }

    /// <summary>
    /// Copies one k step of a panel (MR or NR elements) and zeroes the padding. The rows are short, so
    /// an inline vector loop beats a Memmove call per row; 128-bit moves take the 6 floats of an AVX2
    /// row panel (4 + 2) and the 8 of a 128-bit tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded<T>(T* src, T* dst, int count, int width)
        where T : unmanaged
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<T>.Count <= count; i += Vector256<T>.Count)
            {
                Vector256.Load(src + i).Store(dst + i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + Vector128<T>.Count <= count; i += Vector128<T>.Count)
            {
                Vector128.Load(src + i).Store(dst + i);
            }
        }

        for (; i < count; i++)
        {
            dst[i] = src[i];
        }

        for (; i < width; i++)
        {
            dst[i] = default;
        }
    }
}
