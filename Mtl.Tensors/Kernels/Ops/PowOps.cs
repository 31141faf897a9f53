using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// xʸ. .NET has no vector pow, and e^(y·ln x) would cost |y·ln x| ulps (hundreds near the ends of the
/// range), so every width computes its lanes one by one with the scalar T.Pow: the same result as the
/// scalar form, through the same drivers.
/// </summary>
internal readonly struct PowOp<T> : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => T.Pow(x, y);

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> y) => Lanewise.Apply<Vector128<T>, T, PowOp<T>>(x, y, this);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => Lanewise.Apply<Vector256<T>, T, PowOp<T>>(x, y, this);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> y) => Lanewise.Apply<Vector512<T>, T, PowOp<T>>(x, y, this);
}

/// <summary>(x, dy) ↦ dy·p·x^(p−1), the backward of xᵖ for a constant p (p − 1 rounded from the exact
/// difference); lane by lane as <see cref="PowOp{T}"/>.</summary>
internal readonly struct PowBackwardOp<T>(T exponent, T exponentMinusOne) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => dy * exponent * T.Pow(x, exponentMinusOne);

    public Vector128<T> Invoke(Vector128<T> x, Vector128<T> dy) => Lanewise.Apply<Vector128<T>, T, PowBackwardOp<T>>(x, dy, this);

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => Lanewise.Apply<Vector256<T>, T, PowBackwardOp<T>>(x, dy, this);

    public Vector512<T> Invoke(Vector512<T> x, Vector512<T> dy) => Lanewise.Apply<Vector512<T>, T, PowBackwardOp<T>>(x, dy, this);
}

/// <summary>A binary op's scalar form applied to each lane of two vectors of any width.</summary>
internal static class Lanewise
{
    public static TV Apply<TV, T, TOp>(TV x, TV y, TOp op)
        where TV : struct
        where T : unmanaged
        where TOp : struct, IBinaryOperator<T>
    {
        Unsafe.SkipInit(out TV r);
        ref T rr = ref Unsafe.As<TV, T>(ref r);
        ref T xr = ref Unsafe.As<TV, T>(ref x);
        ref T yr = ref Unsafe.As<TV, T>(ref y);
        for (int i = 0; i < Unsafe.SizeOf<TV>() / Unsafe.SizeOf<T>(); i++)
        {
            Unsafe.Add(ref rr, i) = op.Invoke(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        }

        return r;
    }
}
