using System.Runtime.CompilerServices;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// The element-wise loops, written once for every SIMD width <typeparamref name="TW"/>: four vectors per
/// iteration, then one at a time, then the last <c>Count</c> elements as one more vector that overlaps
/// what came before. That last vector is loaded and computed before anything is stored, so a destination
/// that is an input itself (in place) is still read unmodified; and since every lane computes the same
/// function of its own elements, the overlap writes the same bits twice (an accumulation adds to the
/// destination as loaded before the loop, so it is not added twice either). Every element therefore goes
/// through the vector form, whatever the length. Callers guarantee n ≥ Count.
/// </summary>
internal static class SimdLoops<TV, TW, T>
    where TV : struct
    where TW : struct, ISimdWidth<TV, T>
    where T : unmanaged
{
    /// <summary>d[i] = op(x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Unary<TOp>(ref T x, ref T d, nuint n, TOp op)
        where TOp : struct, IUnaryOperator<T>
    {
        nuint w = (nuint)TW.Count, i = 0;
        TV last = TW.Apply(op, TW.Load(ref x, n - w));
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            TW.Store(TW.Apply(op, TW.Load(ref x, i)), ref d, i);
            TW.Store(TW.Apply(op, TW.Load(ref x, i + w)), ref d, i + w);
            TW.Store(TW.Apply(op, TW.Load(ref x, i + (2 * w))), ref d, i + (2 * w));
            TW.Store(TW.Apply(op, TW.Load(ref x, i + (3 * w))), ref d, i + (3 * w));
        }

        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Apply(op, TW.Load(ref x, i)), ref d, i);
        }

        TW.Store(last, ref d, n - w);
    }

    /// <summary>d[i] = op(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<TOp>(ref T x, ref T y, ref T d, nuint n, TOp op)
        where TOp : struct, IBinaryOperator<T>
    {
        nuint w = (nuint)TW.Count, i = 0;
        TV last = TW.Apply(op, TW.Load(ref x, n - w), TW.Load(ref y, n - w));
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            TW.Store(TW.Apply(op, TW.Load(ref x, i), TW.Load(ref y, i)), ref d, i);
            TW.Store(TW.Apply(op, TW.Load(ref x, i + w), TW.Load(ref y, i + w)), ref d, i + w);
            TW.Store(TW.Apply(op, TW.Load(ref x, i + (2 * w)), TW.Load(ref y, i + (2 * w))), ref d, i + (2 * w));
            TW.Store(TW.Apply(op, TW.Load(ref x, i + (3 * w)), TW.Load(ref y, i + (3 * w))), ref d, i + (3 * w));
        }

        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Apply(op, TW.Load(ref x, i), TW.Load(ref y, i)), ref d, i);
        }

        TW.Store(last, ref d, n - w);
    }

    /// <summary>d[i] = op(x[i], y) for a scalar y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<TOp>(ref T x, T y, ref T d, nuint n, TOp op)
        where TOp : struct, IBinaryOperator<T>
    {
        nuint w = (nuint)TW.Count, i = 0;
        TV yv = TW.Create(y);
        TV last = TW.Apply(op, TW.Load(ref x, n - w), yv);
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            TW.Store(TW.Apply(op, TW.Load(ref x, i), yv), ref d, i);
            TW.Store(TW.Apply(op, TW.Load(ref x, i + w), yv), ref d, i + w);
            TW.Store(TW.Apply(op, TW.Load(ref x, i + (2 * w)), yv), ref d, i + (2 * w));
            TW.Store(TW.Apply(op, TW.Load(ref x, i + (3 * w)), yv), ref d, i + (3 * w));
        }

        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Apply(op, TW.Load(ref x, i), yv), ref d, i);
        }

        TW.Store(last, ref d, n - w);
    }

    /// <summary>d[i] = op(x, y[i]) for a scalar x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Binary<TOp>(T x, ref T y, ref T d, nuint n, TOp op)
        where TOp : struct, IBinaryOperator<T>
    {
        nuint w = (nuint)TW.Count, i = 0;
        TV xv = TW.Create(x);
        TV last = TW.Apply(op, xv, TW.Load(ref y, n - w));
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            TW.Store(TW.Apply(op, xv, TW.Load(ref y, i)), ref d, i);
            TW.Store(TW.Apply(op, xv, TW.Load(ref y, i + w)), ref d, i + w);
            TW.Store(TW.Apply(op, xv, TW.Load(ref y, i + (2 * w))), ref d, i + (2 * w));
            TW.Store(TW.Apply(op, xv, TW.Load(ref y, i + (3 * w))), ref d, i + (3 * w));
        }

        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Apply(op, xv, TW.Load(ref y, i)), ref d, i);
        }

        TW.Store(last, ref d, n - w);
    }

    /// <summary>d[i] += op(x[i], y[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<TOp>(ref T x, ref T y, ref T d, nuint n, TOp op)
        where TOp : struct, IBinaryOperator<T>
    {
        nuint w = (nuint)TW.Count, i = 0;
        TV last = TW.Add(TW.Load(ref d, n - w), TW.Apply(op, TW.Load(ref x, n - w), TW.Load(ref y, n - w)));
        for (; i + (4 * w) <= n; i += 4 * w)
        {
            TW.Store(TW.Add(TW.Load(ref d, i), TW.Apply(op, TW.Load(ref x, i), TW.Load(ref y, i))), ref d, i);
            TW.Store(TW.Add(TW.Load(ref d, i + w), TW.Apply(op, TW.Load(ref x, i + w), TW.Load(ref y, i + w))), ref d, i + w);
            TW.Store(TW.Add(TW.Load(ref d, i + (2 * w)), TW.Apply(op, TW.Load(ref x, i + (2 * w)), TW.Load(ref y, i + (2 * w)))), ref d, i + (2 * w));
            TW.Store(TW.Add(TW.Load(ref d, i + (3 * w)), TW.Apply(op, TW.Load(ref x, i + (3 * w)), TW.Load(ref y, i + (3 * w)))), ref d, i + (3 * w));
        }

        for (; i + w <= n; i += w)
        {
            TW.Store(TW.Add(TW.Load(ref d, i), TW.Apply(op, TW.Load(ref x, i), TW.Load(ref y, i))), ref d, i);
        }

        TW.Store(last, ref d, n - w);
    }
}
