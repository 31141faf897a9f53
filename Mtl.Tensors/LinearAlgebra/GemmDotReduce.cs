using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mtl.Tensors;

/// <summary>
/// Sums the lanes of a block of dot-product accumulators (<see cref="GemmDotKernel512"/>,
/// <see cref="GemmDotKernel256"/>) and writes the block to C. Instead of reducing each accumulator on
/// its own (log₂W shuffle-add steps each), every step halves the lanes of two accumulators into one
/// vector, so a block of 16 Vector512 floats takes 15 shuffle-add pairs instead of 64, and the last
/// step leaves the sums in C's row order.
/// </summary>
/// <remarks>
/// Every block shape pairs lanes the same way for every accumulator (for 16 float lanes x₀..x₁₅:
/// zₑ = xₑ + xₑ₊₈, then yₑ = zₑ + zₑ₊₄, then (y₀ + y₁) + (y₂ + y₃)), so all elements of C are summed in
/// one order whichever block, thread or position in the block computed them. The Vector512 methods need
/// AVX-512F and VL, the Vector256 ones AVX.
/// </remarks>
internal static unsafe class GemmDotReduce
{
    /// <summary>C[i, j] (=|+=) Σ lanes of c_ij for i &lt; rows, j &lt; cols (a 4×4 block of Vector512 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write4x4<T>(
        Vector512<T> c00, Vector512<T> c01, Vector512<T> c02, Vector512<T> c03,
        Vector512<T> c10, Vector512<T> c11, Vector512<T> c12, Vector512<T> c13,
        Vector512<T> c20, Vector512<T> c21, Vector512<T> c22, Vector512<T> c23,
        Vector512<T> c30, Vector512<T> c31, Vector512<T> c32, Vector512<T> c33,
        T* c, nint ldc, int rows, int cols, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            // Steps 1-2 gather column j of the four rows into t_j, 128-bit quarter i holding 4 partials
            // of C[i, j]; steps 3-4 finish them so that quarter i of r is row i: C[i, 0..3].
            var t0 = Quarters(Halves(c00, c10), Halves(c20, c30)).AsSingle();
            var t1 = Quarters(Halves(c01, c11), Halves(c21, c31)).AsSingle();
            var t2 = Quarters(Halves(c02, c12), Halves(c22, c32)).AsSingle();
            var t3 = Quarters(Halves(c03, c13), Halves(c23, c33)).AsSingle();
            WriteRows(Pairs(Pairs(t0, t1), Pairs(t2, t3)), (float*)c, ldc, rows, cols, store);
        }
        else
        {
            // 8 double lanes: halves (xₑ + xₑ₊₄), quarters (zₑ + zₑ₊₂), then pairs, which interleave their
            // two inputs quarter by quarter: t holds columns 0 and 2 of two rows, t' columns 1 and 3, and
            // the 256-bit halves of r01 are rows 0 and 1.
            var r01 = PairsDouble(
                Quarters(Halves(c00, c02), Halves(c10, c12)).AsDouble(),
                Quarters(Halves(c01, c03), Halves(c11, c13)).AsDouble());
            var r23 = PairsDouble(
                Quarters(Halves(c20, c22), Halves(c30, c32)).AsDouble(),
                Quarters(Halves(c21, c23), Halves(c31, c33)).AsDouble());
            var d = (double*)c;
            WriteRow(r01.GetLower(), d, cols, store);
            if (rows > 1)
            {
                WriteRow(r01.GetUpper(), d + ldc, cols, store);
            }

            if (rows > 2)
            {
                WriteRow(r23.GetLower(), d + (2 * ldc), cols, store);
            }

            if (rows > 3)
            {
                WriteRow(r23.GetUpper(), d + (3 * ldc), cols, store);
            }
        }
    }

    /// <summary>C[i, j] (=|+=) Σ lanes of c_ij for i &lt; rows, j &lt; cols ≤ 2 (a 4×2 block of Vector512 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write4x2<T>(
        Vector512<T> c00, Vector512<T> c01, Vector512<T> c10, Vector512<T> c11,
        Vector512<T> c20, Vector512<T> c21, Vector512<T> c30, Vector512<T> c31,
        T* c, nint ldc, int rows, int cols, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            // As Write4x4 with the pairs of columns 2-3 replaced by those of 0-1, which repeats the same
            // steps: quarter i of r is (C[i, 0], C[i, 1], C[i, 0], C[i, 1]).
            var t0 = Quarters(Halves(c00, c10), Halves(c20, c30)).AsSingle();
            var t1 = Quarters(Halves(c01, c11), Halves(c21, c31)).AsSingle();
            var u = Pairs(t0, t1);
            WriteRows(Pairs(u, u), (float*)c, ldc, rows, cols, store);
        }
        else
        {
            // Quarter i of r is row i: (C[i, 0], C[i, 1]).
            var r = PairsDouble(
                Quarters(Halves(c00, c10), Halves(c20, c30)).AsDouble(),
                Quarters(Halves(c01, c11), Halves(c21, c31)).AsDouble());
            var d = (double*)c;
            WriteRow(r.GetLower().GetLower(), d, cols, store);
            if (rows > 1)
            {
                WriteRow(r.GetLower().GetUpper(), d + ldc, cols, store);
            }

            if (rows > 2)
            {
                WriteRow(r.GetUpper().GetLower(), d + (2 * ldc), cols, store);
            }

            if (rows > 3)
            {
                WriteRow(r.GetUpper().GetUpper(), d + (3 * ldc), cols, store);
            }
        }
    }

    /// <summary>C[i, j] (=|+=) Σ lanes of c_ij for i &lt; rows, j &lt; cols (a 4×2 block of Vector256 accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write4x2<T>(
        Vector256<T> c00, Vector256<T> c01, Vector256<T> c10, Vector256<T> c11,
        Vector256<T> c20, Vector256<T> c21, Vector256<T> c30, Vector256<T> c31,
        T* c, nint ldc, int rows, int cols, bool store)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Float: 128-bit half j of r holds column j, rows 0..3 (halves, then two in-lane pair steps).
        // Double: r01 is (C[0,0], C[1,0], C[0,1], C[1,1]) and r23 likewise (halves, then one pair step).
        Vector256<T> r01, r23;
        if (typeof(T) == typeof(float))
        {
            var s0 = Halves(c00.AsSingle(), c01.AsSingle());
            var s1 = Halves(c10.AsSingle(), c11.AsSingle());
            var s2 = Halves(c20.AsSingle(), c21.AsSingle());
            var s3 = Halves(c30.AsSingle(), c31.AsSingle());
            r01 = r23 = Pairs(Pairs(s0, s1), Pairs(s2, s3)).As<float, T>();
        }
        else
        {
            r01 = PairsDouble(Halves(c00.AsDouble(), c01.AsDouble()), Halves(c10.AsDouble(), c11.AsDouble())).As<double, T>();
            r23 = PairsDouble(Halves(c20.AsDouble(), c21.AsDouble()), Halves(c30.AsDouble(), c31.AsDouble())).As<double, T>();
        }

        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                T v = typeof(T) == typeof(float) ? r01.GetElement((4 * j) + i) : (i < 2 ? r01 : r23).GetElement((2 * j) + (i & 1));
                T* cij = c + (i * ldc) + j;
                *cij = store ? v : *cij + v;
            }
        }
    }

    /// <summary>Row i of C ← lanes 0 … cols − 1 of 128-bit quarter i of r, for i &lt; rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRows(Vector512<float> r, float* c, nint ldc, int rows, int cols, bool store)
    {
        WriteRow(r.GetLower().GetLower(), c, cols, store);
        if (rows > 1)
        {
            WriteRow(r.GetLower().GetUpper(), c + ldc, cols, store);
        }

        if (rows > 2)
        {
            WriteRow(r.GetUpper().GetLower(), c + (2 * ldc), cols, store);
        }

        if (rows > 3)
        {
            WriteRow(r.GetUpper().GetUpper(), c + (3 * ldc), cols, store);
        }
    }

    /// <summary>
    /// c[0 … cols) (=|+=) lanes 0 … cols − 1 of v. A partial row goes through masked loads and stores,
    /// which touch no element past cols.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(Vector128<float> v, float* c, int cols, bool store)
    {
        if (cols == Vector128<float>.Count)
        {
            (store ? v : v + Vector128.Load(c)).Store(c);
            return;
        }

        var mask = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(cols)).AsSingle();
        Avx512F.VL.MaskStore(c, mask, store ? v : v + Avx512F.VL.MaskLoad(c, mask, Vector128<float>.Zero));
    }

    /// <summary>As the float overload, for a row of up to 4 doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(Vector256<double> v, double* c, int cols, bool store)
    {
        if (cols == Vector256<double>.Count)
        {
            (store ? v : v + Vector256.Load(c)).Store(c);
            return;
        }

        var mask = Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)cols)).AsDouble();
        Avx512F.VL.MaskStore(c, mask, store ? v : v + Avx512F.VL.MaskLoad(c, mask, Vector256<double>.Zero));
    }

    /// <summary>As the float overload, for a row of up to 2 doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteRow(Vector128<double> v, double* c, int cols, bool store)
    {
        if (cols == Vector128<double>.Count)
        {
            (store ? v : v + Vector128.Load(c)).Store(c);
            return;
        }

        c[0] = store ? v.ToScalar() : c[0] + v.ToScalar();
    }

    /// <summary>(x.lo + x.hi, y.lo + y.hi): the lower 256 bits are x's lanes e and e + W/2 summed, the upper y's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Halves<T>(Vector512<T> x, Vector512<T> y)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<float> xs = x.AsSingle(), ys = y.AsSingle();
            return (Avx512F.Shuffle4x128(xs, ys, 0x44) + Avx512F.Shuffle4x128(xs, ys, 0xEE)).As<float, T>();
        }

        Vector512<double> xd = x.AsDouble(), yd = y.AsDouble();
        return (Avx512F.Shuffle4x128(xd, yd, 0x44) + Avx512F.Shuffle4x128(xd, yd, 0xEE)).As<double, T>();
    }

    /// <summary>
    /// (x.q0 + x.q1, x.q2 + x.q3, y.q0 + y.q1, y.q2 + y.q3) over 128-bit quarters: for inputs of Halves, one
    /// quarter per accumulator, lanes e and e + W/4 summed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Quarters<T>(Vector512<T> x, Vector512<T> y)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Vector512<float> xs = x.AsSingle(), ys = y.AsSingle();
            return (Avx512F.Shuffle4x128(xs, ys, 0x88) + Avx512F.Shuffle4x128(xs, ys, 0xDD)).As<float, T>();
        }

        Vector512<double> xd = x.AsDouble(), yd = y.AsDouble();
        return (Avx512F.Shuffle4x128(xd, yd, 0x88) + Avx512F.Shuffle4x128(xd, yd, 0xDD)).As<double, T>();
    }

    /// <summary>Per 128-bit lane of 4 floats: (x₀ + x₁, x₂ + x₃, y₀ + y₁, y₂ + y₃).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Pairs(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle(x, y, 0x88) + Avx512F.Shuffle(x, y, 0xDD);

    /// <summary>Per 128-bit lane of 2 doubles: (x₀ + x₁, y₀ + y₁).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> PairsDouble(Vector512<double> x, Vector512<double> y) =>
        Avx512F.Shuffle(x, y, 0x00) + Avx512F.Shuffle(x, y, 0xFF);

    /// <summary>(x.lo + x.hi, y.lo + y.hi) for 256-bit vectors: the lower 128 bits from x, the upper from y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Halves<T>(Vector256<T> x, Vector256<T> y)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            Vector256<float> xs = x.AsSingle(), ys = y.AsSingle();
            return (Avx.Permute2x128(xs, ys, 0x20) + Avx.Permute2x128(xs, ys, 0x31)).As<float, T>();
        }

        Vector256<double> xd = x.AsDouble(), yd = y.AsDouble();
        return (Avx.Permute2x128(xd, yd, 0x20) + Avx.Permute2x128(xd, yd, 0x31)).As<double, T>();
    }

    /// <summary>Per 128-bit lane of 4 floats: (x₀ + x₁, x₂ + x₃, y₀ + y₁, y₂ + y₃).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Pairs(Vector256<float> x, Vector256<float> y) =>
        Avx.Shuffle(x, y, 0x88) + Avx.Shuffle(x, y, 0xDD);

    /// <summary>Per 128-bit lane of 2 doubles: (x₀ + x₁, y₀ + y₁).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> PairsDouble(Vector256<double> x, Vector256<double> y) =>
        Avx.Shuffle(x, y, 0x0) + Avx.Shuffle(x, y, 0xF);
}
