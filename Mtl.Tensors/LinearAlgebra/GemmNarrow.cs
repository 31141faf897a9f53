using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// C (=|+=) A·Bᵀ for a C of few columns (a task head's forward pass, y = x·Wᵀ with W stored [out, in],
/// and matrix-vector products): each element is a dot product of a row of A with a row of B, both
/// contiguous along k, so the kernels (<see cref="GemmDotKernel512"/>, <see cref="GemmDotKernel256"/>)
/// read them in place, nothing is packed, and no register-tile columns are wasted (an 8×32 tile
/// computes 32 columns to keep 10).
/// </summary>
/// <remarks>
/// Chosen by shape and kernel kind alone (<see cref="GemmPlan.NarrowApplies{T}"/>). Every element of C gets the same
/// arithmetic whichever block holds it (see <see cref="GemmDotKernel512.Run"/>), and threads split C by
/// whole blocks of rows, so the thread count changes no bit.
/// <para>
/// Measured on the 2-core Zen 5 host (medians, float; one thread unless said): 256×10×512 takes 20 µs
/// here against 61 µs through the register tiles, 9.9 µs on two threads (tiles: ~40-60); 256×1×512 6.4 µs
/// against 7.7 µs for one <c>TensorPrimitives.Dot</c> per row, 1024×1×512 32 against 41.
/// </para>
/// </remarks>
internal sealed unsafe class GemmNarrow<T> : IParallelWork
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static GemmNarrow<T>? _cached;

    private GemmKernelKind _kind;
    private bool _store;
    private int _m, _n, _k, _blocks, _parts;
    private T* _a, _b, _c;

    /// <summary>C (=|+=) A·Bᵀ, A m×k and B n×k row-major, in <paramref name="parts"/> blocks of rows (see <see cref="GemmPlan"/>).</summary>
    public static void Run(GemmKernelKind kind, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int parts)
    {
        int mr = Mr(kind), blocks = (m + mr - 1) / mr;
        if (parts < 2)
        {
            Rows(kind, 0, m, n, k, a, b, c, !accumulate);
            return;
        }

        var job = _cached ??= new GemmNarrow<T>();
        (job._kind, job._store, job._m, job._n, job._k, job._blocks, job._parts) = (kind, !accumulate, m, n, k, blocks, parts);
        job._a = a;
        job._b = b;
        job._c = c;
        try
        {
            MtlParallel.Run(job, parts);
        }
        finally
        {
            job._a = job._b = job._c = null;
        }
    }

    /// <summary>Part p of P owns row blocks [p·B/P, (p+1)·B/P).</summary>
    public void Run(int part)
    {
        int mr = Mr(_kind);
        int start = part * _blocks / _parts * mr, end = Math.Min((part + 1) * _blocks / _parts * mr, _m);
        Rows(_kind, start, end, _n, _k, _a, _b, _c, _store);
    }

    /// <summary>
    /// Rows [i0, i1) of C, a block of MR rows at a time against every block of NR rows of B: the MR rows of
    /// A (MR·k elements) stay in L1 while B, n·k elements (20 KiB at n = 10, k = 512), is swept past them.
    /// </summary>
    private static void Rows(GemmKernelKind kind, int i0, int i1, int n, int k, T* a, T* b, T* c, bool store)
    {
        int mr = Mr(kind), nr = kind == GemmKernelKind.Vector512 ? GemmDotKernel512.Nr : GemmDotKernel256.Nr;
        for (int i = i0; i < i1; i += mr)
        {
            int rows = Math.Min(mr, i1 - i);
            T* aRows = a + ((nint)i * k);
            T* cRows = c + ((nint)i * n);
            for (int j = 0; j < n; j += nr)
            {
                int cols = Math.Min(nr, n - j);
                if (kind == GemmKernelKind.Vector512 && cols > 2)
                {
                    GemmDotKernel512.Run<T, FourColumns>(k, aRows, b + ((nint)j * k), cRows + j, n, rows, cols, store);
                }
                else if (kind == GemmKernelKind.Vector512)
                {
                    GemmDotKernel512.Run<T, TwoColumns>(k, aRows, b + ((nint)j * k), cRows + j, n, rows, cols, store);
                }
                else
                {
                    GemmDotKernel256.Run(k, aRows, b + ((nint)j * k), cRows + j, n, rows, cols, store);
                }
            }
        }
    }

    private static int Mr(GemmKernelKind kind) => GemmPlan.NarrowRows(kind);
}
