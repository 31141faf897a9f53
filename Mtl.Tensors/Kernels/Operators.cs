using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// An element-wise function of one value, defined once at every width: a scalar form and Vector128,
/// Vector256 and Vector512 forms. <see cref="ElementwiseDriver"/> picks the widest form the hardware runs
/// and the scalar form only for inputs shorter than one Vector128.
/// </summary>
/// <remarks>
/// TensorPrimitives' operator-struct pattern, with instance rather than static members so that parameters
/// (a slope, β and a threshold, clamp bounds) live in fields; a parameterless op is passed as <c>default</c>.
/// The struct is passed by value, so the JIT specialises and inlines the driver for each op. Every lane of a
/// vector form computes the same function of its own element, whatever its position: a tensor split
/// anywhere gives the same bits.
/// </remarks>
internal interface IUnaryOperator<T>
    where T : unmanaged
{
    T Invoke(T x);

    Vector128<T> Invoke(Vector128<T> x);

    Vector256<T> Invoke(Vector256<T> x);

    Vector512<T> Invoke(Vector512<T> x);
}

/// <summary>An element-wise function of two values, defined once at every width (see <see cref="IUnaryOperator{T}"/>).</summary>
/// <remarks>Backward rules are of this shape too: (u, dy) ↦ dy·f'(u), u being the op's input or its saved output.</remarks>
internal interface IBinaryOperator<T>
    where T : unmanaged
{
    T Invoke(T x, T y);

    Vector128<T> Invoke(Vector128<T> x, Vector128<T> y);

    Vector256<T> Invoke(Vector256<T> x, Vector256<T> y);

    Vector512<T> Invoke(Vector512<T> x, Vector512<T> y);
}
