using System.Numerics;
using Mtl.Tensors.Kernels;

namespace Mtl.Tensors;

public static partial class Tensor
{
    /// <summary>-x.</summary>
    public static Tensor<T> Negate<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(NegateOp<T>));

    /// <summary>destination = -x (the destination may be x itself).</summary>
    public static void Negate<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(NegateOp<T>), nameof(Negate));

    /// <summary>|x|.</summary>
    public static Tensor<T> Abs<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(AbsOp<T>));

    /// <summary>destination = |x| (the destination may be x itself).</summary>
    public static void Abs<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(AbsOp<T>), nameof(Abs));

    /// <summary>eˣ.</summary>
    public static Tensor<T> Exp<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(ExpOp<T>));

    /// <summary>destination = eˣ (the destination may be x itself).</summary>
    public static void Exp<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(ExpOp<T>), nameof(Exp));

    /// <summary>ln x.</summary>
    public static Tensor<T> Log<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(LogOp<T>));

    /// <summary>destination = ln x (the destination may be x itself).</summary>
    public static void Log<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(LogOp<T>), nameof(Log));

    /// <summary>√x.</summary>
    public static Tensor<T> Sqrt<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(SqrtOp<T>));

    /// <summary>destination = √x (the destination may be x itself).</summary>
    public static void Sqrt<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(SqrtOp<T>), nameof(Sqrt));

    /// <summary>tanh x, evaluated in double for both element types (see <see cref="TanhOp"/>).</summary>
    public static Tensor<T> Tanh<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(InDouble<T, TanhOp>));

    /// <summary>destination = tanh x (the destination may be x itself).</summary>
    public static void Tanh<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(InDouble<T, TanhOp>), nameof(Tanh));

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ).</summary>
    public static Tensor<T> Sigmoid<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(SigmoidOp<T>));

    /// <summary>destination = σ(x) = 1 / (1 + e⁻ˣ) (the destination may be x itself).</summary>
    public static void Sigmoid<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(SigmoidOp<T>), nameof(Sigmoid));

    /// <summary>max(x, 0).</summary>
    public static Tensor<T> Relu<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(ReluOp<T>));

    /// <summary>destination = max(x, 0) (the destination may be x itself).</summary>
    public static void Relu<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(ReluOp<T>), nameof(Relu));

    /// <summary>x for x &gt; 0, slope·x otherwise (PyTorch's default slope is 0.01).</summary>
    public static Tensor<T> LeakyRelu<T>(Tensor<T> x, T slope)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, new LeakyReluOp<T>(slope));

    /// <summary>destination = LeakyReLU(x) (the destination may be x itself).</summary>
    public static void LeakyRelu<T>(Tensor<T> x, T slope, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, new LeakyReluOp<T>(slope), nameof(LeakyRelu));

    /// <summary>GELU: x·Φ(x) exactly, or its tanh approximation (PyTorch's approximate='tanh'); evaluated in
    /// double for both element types.</summary>
    public static Tensor<T> Gelu<T>(Tensor<T> x, bool tanhApproximation = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = new Tensor<T>(x.Shape);
        Gelu(x, y, tanhApproximation);
        return y;
    }

    /// <summary>destination = GELU(x) (the destination may be x itself).</summary>
    public static void Gelu<T>(Tensor<T> x, Tensor<T> destination, bool tanhApproximation = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tanhApproximation)
        {
            MapInto(x, destination, default(InDouble<T, GeluTanhOp>), nameof(Gelu));
        }
        else
        {
            MapInto(x, destination, default(InDouble<T, GeluOp>), nameof(Gelu));
        }
    }

    /// <summary>Softplus log(1 + e^(βx))/β, linear above βx &gt; threshold (PyTorch's defaults β = 1, threshold = 20).</summary>
    public static Tensor<T> Softplus<T>(Tensor<T> x, double beta = 1, double threshold = 20)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = new Tensor<T>(x.Shape);
        Softplus(x, y, beta, threshold);
        return y;
    }

    /// <summary>destination = softplus(x) (the destination may be x itself).</summary>
    public static void Softplus<T>(Tensor<T> x, Tensor<T> destination, double beta = 1, double threshold = 20)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        MapInto(x, destination, new InDouble<T, SoftplusOp>(SoftplusOperator(beta, threshold)), nameof(Softplus));

    /// <summary>The softplus op, its parameters checked.</summary>
    internal static SoftplusOp SoftplusOperator(double beta, double threshold)
    {
        if (!(beta > 0) || double.IsNaN(threshold))
        {
            throw new ArgumentException($"Softplus: beta must be positive and threshold a number (beta {beta}, threshold {threshold}).", nameof(beta));
        }

        return new SoftplusOp(beta, threshold);
    }

    /// <summary>min(max(x, lo), hi).</summary>
    /// <exception cref="ArgumentException">lo &gt; hi.</exception>
    public static Tensor<T> Clamp<T>(Tensor<T> x, T min, T max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = new Tensor<T>(x.Shape);
        Clamp(x, min, max, y);
        return y;
    }

    /// <summary>destination = min(max(x, lo), hi) (the destination may be x itself).</summary>
    public static void Clamp<T>(Tensor<T> x, T min, T max, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (min > max)
        {
            throw new ArgumentException($"Clamp: min {min} is greater than max {max}.", nameof(min));
        }

        MapInto(x, destination, new ClampOp<T>(min, max), nameof(Clamp));
    }

    /// <summary>x².</summary>
    public static Tensor<T> Square<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(SquareOp<T>));

    /// <summary>destination = x² (the destination may be x itself).</summary>
    public static void Square<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(SquareOp<T>), nameof(Square));

    /// <summary>1/x.</summary>
    public static Tensor<T> Reciprocal<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, default(ReciprocalOp<T>));

    /// <summary>destination = 1/x (the destination may be x itself).</summary>
    public static void Reciprocal<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, default(ReciprocalOp<T>), nameof(Reciprocal));

    /// <summary>op(x) into a new tensor of x's shape.</summary>
    internal static Tensor<T> Map<T, TOp>(Tensor<T> x, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = new Tensor<T>(x.Shape);
        ElementwiseDriver.Unary(x.ReadOnlySpan, y.Span, op);
        return y;
    }

    /// <summary>op(x) into a destination of x's shape, which may be x itself but not overlap it otherwise.</summary>
    internal static void MapInto<T, TOp>(Tensor<T> x, Tensor<T> destination, TOp op, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IUnaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(destination);
        destination.RequireShape(x.Shape, operation, "the destination");
        RequireNoPartialAlias(x, destination, operation);
        ElementwiseDriver.Unary(x.ReadOnlySpan, destination.Span, op);
    }
}
