using System.Numerics;
using System.Runtime.Intrinsics;
using Mtl.Tensors;
using Mtl.Tensors.Kernels;

namespace Mtl.Autograd;

public sealed partial class Var<T>
{
    /// <summary>eˣ.</summary>
    public Var<T> Exp() => ElementwiseNode<T, ExpRule<T>>.Forward(this, default);

    /// <summary>ln x.</summary>
    public Var<T> Log() => ElementwiseNode<T, LogRule<T>>.Forward(this, default);

    /// <summary>√x.</summary>
    public Var<T> Sqrt() => ElementwiseNode<T, SqrtRule<T>>.Forward(this, default);

    /// <summary>xᵖ for a constant exponent.</summary>
    public Var<T> Pow(double exponent) => ElementwiseNode<T, PowRule<T>>.Forward(this, new PowRule<T>(exponent));

    /// <summary>x².</summary>
    public Var<T> Square() => ElementwiseNode<T, SquareRule<T>>.Forward(this, default);

    /// <summary>1/x.</summary>
    public Var<T> Reciprocal() => ElementwiseNode<T, ReciprocalRule<T>>.Forward(this, default);

    /// <summary>s / a element-wise.</summary>
    public static Var<T> operator /(T s, Var<T> a) => a.Reciprocal() * s;

    /// <summary>|x|.</summary>
    public Var<T> Abs() => ElementwiseNode<T, AbsRule<T>>.Forward(this, default);

    /// <summary>tanh x.</summary>
    public Var<T> Tanh() => ElementwiseNode<T, TanhRule<T>>.Forward(this, default);

    /// <summary>σ(x) = 1/(1 + e⁻ˣ).</summary>
    public Var<T> Sigmoid() => ElementwiseNode<T, SigmoidRule<T>>.Forward(this, default);

    /// <summary>max(x, 0).</summary>
    public Var<T> Relu() => ElementwiseNode<T, ReluRule<T>>.Forward(this, default);

    /// <summary>x for x &gt; 0, slope·x otherwise (PyTorch's default slope 0.01).</summary>
    public Var<T> LeakyRelu(double slope = 0.01) => ElementwiseNode<T, LeakyReluRule<T>>.Forward(this, new LeakyReluRule<T>(T.CreateTruncating(slope)));

    /// <summary>GELU x·Φ(x), or its tanh approximation.</summary>
    public Var<T> Gelu(bool tanhApproximation = false) => ElementwiseNode<T, GeluRule<T>>.Forward(this, new GeluRule<T>(tanhApproximation));

    /// <summary>Softplus log(1 + e^(βx))/β, linear above βx &gt; threshold (PyTorch's defaults).</summary>
    public Var<T> Softplus(double beta = 1, double threshold = 20) => ElementwiseNode<T, SoftplusRule<T>>.Forward(this, new SoftplusRule<T>(beta, threshold));

    /// <summary>min(max(x, lo), hi); the gradient passes where lo ≤ x ≤ hi.</summary>
    public Var<T> Clamp(double min, double max)
    {
        if (min > max)
        {
            throw new ArgumentException($"clamp: min {min} is greater than max {max}.", nameof(min));
        }

        return ElementwiseNode<T, ClampRule<T>>.Forward(this, new ClampRule<T>(T.CreateTruncating(min), T.CreateTruncating(max)));
    }
}

/// <summary>y = eˣ; dx = dy·y.</summary>
internal readonly struct ExpRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "exp";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Exp(x, y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) {
        if (accumulate)
        {
            TensorPrimitives.MultiplyAdd(dy, y, gx, gx);
        }
        else
        {
            TensorPrimitives.Multiply(dy, y, gx);
        }
    }
}

/// <summary>y = ln x; dx = dy / x.</summary>
internal readonly struct LogRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "log";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Log(x, y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) => AccumulateDriver.Binary(dy, x, gx, default(DivideKernel<T>), accumulate);
}

/// <summary>y = √x; dx = dy / (2y).</summary>
internal readonly struct SqrtRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "sqrt";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Sqrt(x, y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        T half = T.CreateTruncating(0.5);
        for (int i = 0; i < gx.Length; i++)
        {
            gx[i] = ElementwiseGrad.Accumulate(accumulate, gx[i], half * dy[i] / y[i]);
        }
    }
}

/// <summary>y = xᵖ; dx = dy·p·xᵖ⁻¹.</summary>
internal readonly struct PowRule<T>(double exponent) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "pow";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Pow(x, T.CreateTruncating(exponent), y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        T p = T.CreateTruncating(exponent), pm1 = T.CreateTruncating(exponent - 1);
        for (int i = 0; i < gx.Length; i++)
        {
            gx[i] = ElementwiseGrad.Accumulate(accumulate, gx[i], dy[i] * p * T.Pow(x[i], pm1));
        }
    }
}

/// <summary>y = x²; dx = 2x·dy.</summary>
internal readonly struct SquareRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "square";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Multiply(x, x, y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) => AccumulateDriver.Binary(x, dy, gx, default(TwiceProductKernel<T>), accumulate);
}

/// <summary>y = 1/x; dx = −y²·dy.</summary>
internal readonly struct ReciprocalRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "reciprocal";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Reciprocal(x, y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        for (int i = 0; i < gx.Length; i++)
        {
            gx[i] = ElementwiseGrad.Accumulate(accumulate, gx[i], -(y[i] * y[i] * dy[i]));
        }
    }
}

/// <summary>y = |x|; dx = sign(x)·dy (0 at x = 0, as in PyTorch).</summary>
internal readonly struct AbsRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "abs";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => TensorPrimitives.Abs(x, y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        for (int i = 0; i < gx.Length; i++)
        {
            gx[i] = ElementwiseGrad.Accumulate(accumulate, gx[i], x[i] > T.Zero ? dy[i] : x[i] < T.Zero ? -dy[i] : T.Zero);
        }
    }
}

/// <summary>y = tanh x; dx = (1 − y²)·dy.</summary>
internal readonly struct TanhRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "tanh";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => Tensor.ApplyScalar(x, y, Math.Tanh);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) => AccumulateDriver.Binary(y, dy, gx, default(TanhGradKernel<T>), accumulate);
}

/// <summary>y = σ(x); dx = y(1 − y)·dy.</summary>
internal readonly struct SigmoidRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "sigmoid";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => Tensor.SigmoidKernel(x, y);

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) => AccumulateDriver.Binary(y, dy, gx, default(SigmoidGradKernel<T>), accumulate);
}

/// <summary>y = max(x, 0); dx = [x &gt; 0]·dy.</summary>
internal readonly struct ReluRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "relu";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(ReluOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) => AccumulateDriver.Binary(x, dy, gx, default(ReluBackwardOp<T>), accumulate);
}

/// <summary>y = x or slope·x; dx = dy or slope·dy.</summary>
internal readonly struct LeakyReluRule<T>(T slope) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "leaky_relu";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, new LeakyReluOp<T>(slope));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) => AccumulateDriver.Binary(x, dy, gx, new LeakyReluBackwardOp<T>(slope), accumulate);
}

/// <summary>y = x·Φ(x); dx = (Φ(x) + x·φ(x))·dy (or the tanh form's derivative).</summary>
internal readonly struct GeluRule<T>(bool tanhApproximation) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => tanhApproximation ? "gelu_tanh" : "gelu";

    public void Forward(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            y[i] = T.CreateTruncating(tanhApproximation ? ScalarFunctions.GeluTanh(v) : ScalarFunctions.Gelu(v));
        }
    }

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double v = double.CreateTruncating(x[i]);
            gx[i] = ElementwiseGrad.Accumulate(accumulate, gx[i], dy[i] * T.CreateTruncating(tanhApproximation ? ScalarFunctions.GeluTanhDerivative(v) : ScalarFunctions.GeluDerivative(v)));
        }
    }
}

/// <summary>y = log(1 + e^(βx))/β; dx = σ(βx)·dy (1·dy above the threshold).</summary>
internal readonly struct SoftplusRule<T>(double beta, double threshold) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "softplus";

    public void Forward(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = T.CreateTruncating(ScalarFunctions.Softplus(double.CreateTruncating(x[i]), beta, threshold));
        }
    }

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        for (int i = 0; i < x.Length; i++)
        {
            gx[i] = ElementwiseGrad.Accumulate(accumulate, gx[i], dy[i] * T.CreateTruncating(ScalarFunctions.SoftplusDerivative(double.CreateTruncating(x[i]), beta, threshold)));
        }
    }
}

/// <summary>y = min(max(x, lo), hi); dx = [lo ≤ x ≤ hi]·dy.</summary>
internal readonly struct ClampRule<T>(T min, T max) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "clamp";

    public void Forward(ReadOnlySpan<T> x, Span<T> y)
    {
        TensorPrimitives.Max(x, min, y);
        TensorPrimitives.Min(y, max, y);
    }

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        for (int i = 0; i < x.Length; i++)
        {
            T pass = x[i] >= min && x[i] <= max ? dy[i] : T.Zero;
            gx[i] = ElementwiseGrad.Accumulate(accumulate, gx[i], pass);
        }
    }
}

/// <summary>x / y.</summary>
internal readonly struct DivideKernel<T> : IBinaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T y) => x / y;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> y) => x / y;
}

/// <summary>2·x·dy.</summary>
internal readonly struct TwiceProductKernel<T> : IBinaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T x, T dy) => (x + x) * dy;

    public Vector256<T> Invoke(Vector256<T> x, Vector256<T> dy) => (x + x) * dy;
}

/// <summary>(1 − y²)·dy.</summary>
internal readonly struct TanhGradKernel<T> : IBinaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy) => (T.One - (y * y)) * dy;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => (Vector256<T>.One - (y * y)) * dy;
}

/// <summary>y(1 − y)·dy.</summary>
internal readonly struct SigmoidGradKernel<T> : IBinaryOp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public T Invoke(T y, T dy) => y * (T.One - y) * dy;

    public Vector256<T> Invoke(Vector256<T> y, Vector256<T> dy) => y * (Vector256<T>.One - y) * dy;
}
