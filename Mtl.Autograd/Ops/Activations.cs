using System.Numerics;
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
    public Var<T> Softplus(double beta = 1, double threshold = 20) =>
        ElementwiseNode<T, SoftplusRule<T>>.Forward(this, new SoftplusRule<T>(Tensor.SoftplusOperator(beta, threshold), beta, threshold));

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

// Each rule names the op of its forward and of its backward (both in Mtl.Tensors.Kernels, the forward
// shared with Tensor.X) and whether the backward reads the input x or the saved output y.

/// <summary>y = eˣ; dx = dy·y.</summary>
internal readonly struct ExpRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "exp";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(ExpOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(dy, y, gx, default(MultiplyOp<T>), accumulate);
}

/// <summary>y = ln x; dx = dy / x.</summary>
internal readonly struct LogRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "log";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(LogOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(dy, x, gx, default(DivideOp<T>), accumulate);
}

/// <summary>y = √x; dx = dy / (2y).</summary>
internal readonly struct SqrtRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "sqrt";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(SqrtOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(y, dy, gx, default(SqrtBackwardOp<T>), accumulate);
}

/// <summary>y = xᵖ; dx = dy·p·xᵖ⁻¹.</summary>
internal readonly struct PowRule<T>(double exponent) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "pow";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Binary(x, T.CreateTruncating(exponent), y, default(PowOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(x, dy, gx, new PowBackwardOp<T>(T.CreateTruncating(exponent), T.CreateTruncating(exponent - 1)), accumulate);
}

/// <summary>y = x²; dx = 2x·dy.</summary>
internal readonly struct SquareRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "square";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(SquareOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(x, dy, gx, default(SquareBackwardOp<T>), accumulate);
}

/// <summary>y = 1/x; dx = −y²·dy.</summary>
internal readonly struct ReciprocalRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "reciprocal";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(ReciprocalOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(y, dy, gx, default(ReciprocalBackwardOp<T>), accumulate);
}

/// <summary>y = |x|; dx = sign(x)·dy (0 at x = 0, as in PyTorch).</summary>
internal readonly struct AbsRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "abs";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(AbsOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(x, dy, gx, default(AbsBackwardOp<T>), accumulate);
}

/// <summary>y = tanh x; dx = (1 − y²)·dy.</summary>
internal readonly struct TanhRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "tanh";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(InDouble<T, TanhOp>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(y, dy, gx, default(TanhBackwardOp<T>), accumulate);
}

/// <summary>y = σ(x); dx = y(1 − y)·dy.</summary>
internal readonly struct SigmoidRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "sigmoid";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(SigmoidOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(y, dy, gx, default(SigmoidBackwardOp<T>), accumulate);
}

/// <summary>y = max(x, 0); dx = [x &gt; 0]·dy.</summary>
internal readonly struct ReluRule<T> : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "relu";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, default(ReluOp<T>));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(x, dy, gx, default(ReluBackwardOp<T>), accumulate);
}

/// <summary>y = x or slope·x; dx = dy or slope·dy.</summary>
internal readonly struct LeakyReluRule<T>(T slope) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "leaky_relu";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, new LeakyReluOp<T>(slope));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(x, dy, gx, new LeakyReluBackwardOp<T>(slope), accumulate);
}

/// <summary>y = x·Φ(x); dx = (Φ(x) + x·φ(x))·dy (or the tanh form and its derivative).</summary>
internal readonly struct GeluRule<T>(bool tanhApproximation) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => tanhApproximation ? "gelu_tanh" : "gelu";

    public void Forward(ReadOnlySpan<T> x, Span<T> y)
    {
        if (tanhApproximation)
        {
            ElementwiseDriver.Unary(x, y, default(InDouble<T, GeluTanhOp>));
        }
        else
        {
            ElementwiseDriver.Unary(x, y, default(InDouble<T, GeluOp>));
        }
    }

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate)
    {
        if (tanhApproximation)
        {
            ElementwiseDriver.Accumulate(x, dy, gx, default(Chain<T, InDouble<T, GeluTanhDerivativeOp>>), accumulate);
        }
        else
        {
            ElementwiseDriver.Accumulate(x, dy, gx, default(Chain<T, InDouble<T, GeluDerivativeOp>>), accumulate);
        }
    }
}

/// <summary>y = log(1 + e^(βx))/β; dx = σ(βx)·dy (1·dy above the threshold).</summary>
internal readonly struct SoftplusRule<T>(SoftplusOp op, double beta, double threshold) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "softplus";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, new InDouble<T, SoftplusOp>(op));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(x, dy, gx, new Chain<T, InDouble<T, SoftplusDerivativeOp>>(new(new(beta, threshold))), accumulate);
}

/// <summary>y = min(max(x, lo), hi); dx = [lo ≤ x ≤ hi]·dy.</summary>
internal readonly struct ClampRule<T>(T min, T max) : IElementwiseRule<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name => "clamp";

    public void Forward(ReadOnlySpan<T> x, Span<T> y) => ElementwiseDriver.Unary(x, y, new ClampOp<T>(min, max));

    public void Backward(ReadOnlySpan<T> x, ReadOnlySpan<T> y, ReadOnlySpan<T> dy, Span<T> gx, bool accumulate) =>
        ElementwiseDriver.Accumulate(x, dy, gx, new ClampBackwardOp<T>(min, max), accumulate);
}
