using System.Runtime.Intrinsics;

namespace Mtl.Tensors.Kernels;

// GELU (exact and tanh form) and softplus with their derivatives, in double: both element types use them
// through InDouble, and the backward rules through Chain (dy times the derivative rounded to T). Scalar
// forms: ScalarFunctions; vector forms: VectorMath.

/// <summary>GELU(x) = x·Φ(x) = ½x·erfc(−x/√2).</summary>
internal readonly struct GeluOp : IUnaryOperator<double>
{
    public double Invoke(double x) => ScalarFunctions.Gelu(x);

    public Vector128<double> Invoke(Vector128<double> x) => VectorMath<Vector128<double>, W128<double>>.Gelu(x);

    public Vector256<double> Invoke(Vector256<double> x) => VectorMath<Vector256<double>, W256<double>>.Gelu(x);

    public Vector512<double> Invoke(Vector512<double> x) => VectorMath<Vector512<double>, W512<double>>.Gelu(x);
}

/// <summary>GELU'(x) = Φ(x) + x·φ(x).</summary>
internal readonly struct GeluDerivativeOp : IUnaryOperator<double>
{
    public double Invoke(double x) => ScalarFunctions.GeluDerivative(x);

    public Vector128<double> Invoke(Vector128<double> x) => VectorMath<Vector128<double>, W128<double>>.GeluDerivative(x);

    public Vector256<double> Invoke(Vector256<double> x) => VectorMath<Vector256<double>, W256<double>>.GeluDerivative(x);

    public Vector512<double> Invoke(Vector512<double> x) => VectorMath<Vector512<double>, W512<double>>.GeluDerivative(x);
}

/// <summary>GELU's tanh approximation ½x(1 + tanh u) = x·σ(2u), u = √(2/π)(x + 0.044715x³).</summary>
internal readonly struct GeluTanhOp : IUnaryOperator<double>
{
    public double Invoke(double x) => ScalarFunctions.GeluTanh(x);

    public Vector128<double> Invoke(Vector128<double> x) => VectorMath<Vector128<double>, W128<double>>.GeluTanh(x);

    public Vector256<double> Invoke(Vector256<double> x) => VectorMath<Vector256<double>, W256<double>>.GeluTanh(x);

    public Vector512<double> Invoke(Vector512<double> x) => VectorMath<Vector512<double>, W512<double>>.GeluTanh(x);
}

/// <summary>The derivative of <see cref="GeluTanhOp"/>.</summary>
internal readonly struct GeluTanhDerivativeOp : IUnaryOperator<double>
{
    public double Invoke(double x) => ScalarFunctions.GeluTanhDerivative(x);

    public Vector128<double> Invoke(Vector128<double> x) => VectorMath<Vector128<double>, W128<double>>.GeluTanhDerivative(x);

    public Vector256<double> Invoke(Vector256<double> x) => VectorMath<Vector256<double>, W256<double>>.GeluTanhDerivative(x);

    public Vector512<double> Invoke(Vector512<double> x) => VectorMath<Vector512<double>, W512<double>>.GeluTanhDerivative(x);
}

/// <summary>Softplus log(1 + e^(βx))/β, and x once βx exceeds the threshold (torch.nn.functional.softplus).</summary>
internal readonly struct SoftplusOp(double beta, double threshold) : IUnaryOperator<double>
{
    public double Invoke(double x) => ScalarFunctions.Softplus(x, beta, threshold);

    public Vector128<double> Invoke(Vector128<double> x) => VectorMath<Vector128<double>, W128<double>>.Softplus(x, beta, threshold);

    public Vector256<double> Invoke(Vector256<double> x) => VectorMath<Vector256<double>, W256<double>>.Softplus(x, beta, threshold);

    public Vector512<double> Invoke(Vector512<double> x) => VectorMath<Vector512<double>, W512<double>>.Softplus(x, beta, threshold);
}

/// <summary>d softplus/dx = σ(βx), 1 above the threshold.</summary>
internal readonly struct SoftplusDerivativeOp(double beta, double threshold) : IUnaryOperator<double>
{
    public double Invoke(double x) => ScalarFunctions.SoftplusDerivative(x, beta, threshold);

    public Vector128<double> Invoke(Vector128<double> x) => VectorMath<Vector128<double>, W128<double>>.SoftplusDerivative(x, beta, threshold);

    public Vector256<double> Invoke(Vector256<double> x) => VectorMath<Vector256<double>, W256<double>>.SoftplusDerivative(x, beta, threshold);

    public Vector512<double> Invoke(Vector512<double> x) => VectorMath<Vector512<double>, W512<double>>.SoftplusDerivative(x, beta, threshold);
}
