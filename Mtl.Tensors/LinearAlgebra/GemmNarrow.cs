using System.Numerics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Tensors;

/// <summary>
/// C (=|+=) A·Bᵀ for a C of few columns (a task head's forward pass, y = x·Wᵀ with W stored [out, in],
/// and matrix-vector products): each element is a dot product of a row of A with a row of B, both
/// contiguous along k, so the kernels (<see cref="GemmDotKernel512"/>, <see cref="GemmDotKernel256"/>)
/// read them in place, nothing is packed, and no register-tile columns are wasted (an 8×32 tile
/// computes 32 columns to keep 10).
/// </summary>
/// <remarks>
/// Chosen by shape and kernel kind alone (<see cref="Applies"/>). Every element of C gets the same
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
    /// <summary>
    /// Widest C this path takes. Against the 8×32 float tiles (two threads, m = 256, k = 512) it ran
    /// n = 16 in 21 µs against 67, n = 20 in 28 against 40, n = 24 in 31 against 40, and tied at n = 32,
    /// where the tile wastes nothing.
    /// </summary>
    public const int MaxN = 24;

    /// <summary>
    /// Smallest m·n·k split between threads (2^18). Waking a worker costs a few µs: on two threads
    /// 64×10×256 (164k) took 3.1 µs against 2.5 on one, 64×8×512 (262k) 2.6 against 2.8, 96×10×256 (246k)
    /// 3.0 against 3.8 and 256×10×512 9.9 against 16.
    /// </summary>
    public const long MinParallelWork = 1L << 18;

    [ThreadStatic]
    private static GemmNarrow<T>? _cached;

    private GemmKernelKind _kind;
    private bool _store;
    private int _m, _n, _k, _blocks, _parts;
    private T* _a, _b, _c;

    /// <summary>
    /// Whether a C of n columns, with rows of A and B contiguous along k, goes here: n ≤ <see cref="MaxN"/>
    /// and the register tiles would leave more than a quarter of their columns unused (4n &gt; 3·⌈n/NR⌉·NR
    /// fails). So the AVX2 tiles (NR = 16 floats) keep n = 16, where they ran 256×16×512 in 26 µs against
    /// 34 here, and the doubles of the Vector512 tiles (NR = 16) keep n = 13..16 (10: 44 against 49 µs on
    /// one thread, 12: 49.5 against 49.7).
    /// </summary>
    public static bool Applies(GemmKernelKind kind, int n)
    {
        // The Vector512 path writes partial rows of C with AVX-512VL masked stores.
        if (kind == GemmKernelKind.Scalar || n > MaxN || (kind == GemmKernelKind.Vector512 && !Avx512F.VL.IsSupported))
        {
            return false;
        }

        int nr = GemmKernels.Nr<T>(kind);
        return 4 * n <= 3 * GemmBlocked.RoundUp(n, nr);
    }

    /// <summary>C (=|+=) A·Bᵀ, A m×k and B n×k row-major, on up to <paramref name="threads"/> threads.</summary>
    public static void Run(GemmKernelKind kind, int m, int n, int k, T* a, T* b, T* c, bool accumulate, int threads)
    {
        int mr = Mr(kind), blocks = (m + mr - 1) / mr;
        int parts = (long)m * n * k >= MinParallelWork ? Math.Min(threads, blocks) : 1;
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
        if (!GemmWorkers.TryRun(job, parts))
        {
            for (int p = 0; p < parts; p++)
            {
                job.Run(p);
            }
        }

        job._a = job._b = job._c = null;
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

    private static int Mr(GemmKernelKind kind) => kind == GemmKernelKind.Vector512 ? GemmDotKernel512.Mr : GemmDotKernel256.Mr;
}
