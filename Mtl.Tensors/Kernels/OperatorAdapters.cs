using System.Numerics;
using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// A function written in double (<typeparamref name="TOp"/>) applied to either element type: float lanes
/// are widened to double, the double form applied, and the result rounded once to float, so a float result
/// is within an ulp of the exact value at every width. Used for the functions whose float forms would
/// otherwise need their own approximations (tanh, GELU, softplus): one definition serves both types.
/// </summary>
internal readonly struct InDouble<T, TOp>(TOp op) : IUnaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IUnaryOperator<double>
{
    public T Invoke(T x) => T.CreateTruncating(op.Invoke(double.CreateTruncating(x)));

    public Vector128<T> Invoke(Vector128<T> x)
    {
        if (typeof(T) == typeof(double))
        {
            return op.Invoke(x.AsDouble()).As<double, T>();
        }

        var (lower, upper) = Vector128.Widen(x.AsSingle());
        return Vector128.Narrow(op.Invoke(lower), op.Invoke(upper)).As<float, T>();
    }

    public Vector256<T> Invoke(Vector256<T> x)
    {
        if (typeof(T) == typeof(double))
        {
            return op.Invoke(x.AsDouble()).As<double, T>();
        }

        var (lower, upper) = Vector256.Widen(x.AsSingle());
        return Vector256.Narrow(op.Invoke(lower), op.Invoke(upper)).As<float, T>();
    }

    public Vector512<T> Invoke(Vector512<T> x)
    {
        if (typeof(T) == typeof(double))
        {
            return op.Invoke(x.AsDouble()).As<double, T>();
        }

        var (lower, upper) = Vector512.Widen(x.AsSingle());
        return Vector512.Narrow(op.Invoke(lower), op.Invoke(upper)).As<float, T>();
    }
}

/// <summary>
/// The chain rule through a function whose derivative is an op of its own: (u, dy) ↦ dy·f'(u), with f'(u)
/// rounded to T before the product, as a backward rule's local derivative.
/// </summary>
internal readonly struct Chain<T, TDerivative>(TDerivative derivative) : IBinaryOperator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TDerivative : struct, IUnaryOperator<T>
{
    public T Invoke(T u, T dy) => dy * derivative.Invoke(u);

    public Vector128<T> Invoke(Vector128<T> u, Vector128<T> dy) => dy * derivative.Invoke(u);

    public Vector256<T> Invoke(Vector256<T> u, Vector256<T> dy) => dy * derivative.Invoke(u);

    public Vector512<T> Invoke(Vector512<T> u, Vector512<T> dy) => dy * derivative.Invoke(u);
}
