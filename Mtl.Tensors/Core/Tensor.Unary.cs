using System.Numerics;
using System.Numerics.Tensors;
using Mtl.Tensors.Kernels;

namespace Mtl.Tensors;

public static partial class Tensor
{
    /// <summary>-x.</summary>
    public static Tensor<T> Negate<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => TensorPrimitives.Negate(s, d));

    /// <summary>destination = -x (the destination may be x itself).</summary>
    public static void Negate<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => TensorPrimitives.Negate(s, d), nameof(Negate));

    /// <summary>|x|.</summary>
    public static Tensor<T> Abs<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => TensorPrimitives.Abs(s, d));

    /// <summary>destination = |x| (the destination may be x itself).</summary>
    public static void Abs<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => TensorPrimitives.Abs(s, d), nameof(Abs));

    /// <summary>eˣ.</summary>
    public static Tensor<T> Exp<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => TensorPrimitives.Exp(s, d));

    /// <summary>destination = eˣ (the destination may be x itself).</summary>
    public static void Exp<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => TensorPrimitives.Exp(s, d), nameof(Exp));

    /// <summary>ln x.</summary>
    public static Tensor<T> Log<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => TensorPrimitives.Log(s, d));

    /// <summary>destination = ln x (the destination may be x itself).</summary>
    public static void Log<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => TensorPrimitives.Log(s, d), nameof(Log));

    /// <summary>√x.</summary>
    public static Tensor<T> Sqrt<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => TensorPrimitives.Sqrt(s, d));

    /// <summary>destination = √x (the destination may be x itself).</summary>
    public static void Sqrt<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => TensorPrimitives.Sqrt(s, d), nameof(Sqrt));

    /// <summary>tanh x.</summary>
    /// <remarks>Not TensorPrimitives.Tanh: it evaluates −expm1(−2|x|)/(expm1(−2|x|) + 2) with expm1 taken
    /// as exp − 1, which cancels near 0 (1240 ulps at x = 3e-4 in float, 23 ulps at 0.008 in double).
    /// Math.Tanh in double is accurate to an ulp for both element types.</remarks>
    public static Tensor<T> Tanh<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => ApplyScalar(s, d, Math.Tanh));

    /// <summary>destination = tanh x (the destination may be x itself).</summary>
    public static void Tanh<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => ApplyScalar(s, d, Math.Tanh), nameof(Tanh));

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ).</summary>
    public static Tensor<T> Sigmoid<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, SigmoidKernel);

    /// <summary>destination = σ(x) = 1 / (1 + e⁻ˣ) (the destination may be x itself).</summary>
    public static void Sigmoid<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, SigmoidKernel, nameof(Sigmoid));

    /// <summary>TensorPrimitives.Sigmoid, except that it rejects empty spans where every other kernel
    /// accepts them, so an empty tensor is passed over here.</summary>
    internal static void SigmoidKernel<T>(ReadOnlySpan<T> s, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!s.IsEmpty)
        {
            TensorPrimitives.Sigmoid(s, d);
        }
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor<T> Relu<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => ElementwiseDriver.Unary(s, d, default(ReluOp<T>)));

    /// <summary>destination = max(x, 0) (the destination may be x itself).</summary>
    public static void Relu<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => ElementwiseDriver.Unary(s, d, default(ReluOp<T>)), nameof(Relu));

    /// <summary>x for x &gt; 0, slope·x otherwise (PyTorch's default slope is 0.01).</summary>
    public static Tensor<T> LeakyRelu<T>(Tensor<T> x, T slope)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Like(x);
        ElementwiseDriver.Unary(x.ReadOnlySpan, y.Span, new LeakyReluOp<T>(slope));
        return y;
    }

    /// <summary>destination = LeakyReLU(x).</summary>
    public static void LeakyRelu<T>(Tensor<T> x, T slope, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(destination);
        destination.RequireShape(x.Shape, nameof(LeakyRelu), "the destination");
        RequireNoPartialAlias(x, destination, nameof(LeakyRelu));
        ElementwiseDriver.Unary(x.ReadOnlySpan, destination.Span, new LeakyReluOp<T>(slope));
    }

    /// <summary>GELU: x·Φ(x) exactly, or its tanh approximation (PyTorch's approximate='tanh').</summary>
    public static Tensor<T> Gelu<T>(Tensor<T> x, bool tanhApproximation = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Like(x);
        Gelu(x, y, tanhApproximation);
        return y;
    }

    /// <summary>destination = GELU(x) (the destination may be x itself).</summary>
    public static void Gelu<T>(Tensor<T> x, Tensor<T> destination, bool tanhApproximation = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Func<double, double> f = tanhApproximation ? ScalarFunctions.GeluTanh : ScalarFunctions.Gelu;
        MapInto(x, destination, (s, d) => ApplyScalar(s, d, f), nameof(Gelu));
    }

    /// <summary>Softplus log(1 + e^(βx))/β, linear above βx &gt; threshold (PyTorch's defaults β = 1, threshold = 20).</summary>
    public static Tensor<T> Softplus<T>(Tensor<T> x, double beta = 1, double threshold = 20)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Like(x);
        Softplus(x, y, beta, threshold);
        return y;
    }

    /// <summary>destination = softplus(x) (the destination may be x itself).</summary>
    public static void Softplus<T>(Tensor<T> x, Tensor<T> destination, double beta = 1, double threshold = 20)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(beta > 0) || double.IsNaN(threshold))
        {
            throw new ArgumentException($"Softplus: beta must be positive and threshold a number (beta {beta}, threshold {threshold}).", nameof(beta));
        }

        MapInto(x, destination, (s, d) => ApplyScalar(s, d, v => ScalarFunctions.Softplus(v, beta, threshold)), nameof(Softplus));
    }

    /// <summary>min(max(x, lo), hi).</summary>
    /// <exception cref="ArgumentException">lo &gt; hi.</exception>
    public static Tensor<T> Clamp<T>(Tensor<T> x, T min, T max)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (min > max)
        {
            throw new ArgumentException($"Clamp: min {min} is greater than max {max}.", nameof(min));
        }

        var y = Like(x);
        Clamp(x, min, max, y);
        return y;
    }

    /// <summary>destination = min(max(x, lo), hi).</summary>
    public static void Clamp<T>(Tensor<T> x, T min, T max, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(destination);
        if (min > max)
        {
            throw new ArgumentException($"Clamp: min {min} is greater than max {max}.", nameof(min));
        }

        destination.RequireShape(x.Shape, nameof(Clamp), "the destination");
        RequireNoPartialAlias(x, destination, nameof(Clamp));
        TensorPrimitives.Max(x.ReadOnlySpan, min, destination.Span);
        TensorPrimitives.Min(destination.ReadOnlySpan, max, destination.Span);
    }

    /// <summary>x².</summary>
    public static Tensor<T> Square<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => TensorPrimitives.Multiply(s, s, d));

    /// <summary>destination = x² (the destination may be x itself).</summary>
    public static void Square<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => TensorPrimitives.Multiply(s, s, d), nameof(Square));

    /// <summary>1/x.</summary>
    public static Tensor<T> Reciprocal<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> => Map(x, static (s, d) => TensorPrimitives.Reciprocal(s, d));

    /// <summary>destination = 1/x (the destination may be x itself).</summary>
    public static void Reciprocal<T>(Tensor<T> x, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => MapInto(x, destination, static (s, d) => TensorPrimitives.Reciprocal(s, d), nameof(Reciprocal));

    /// <summary>Applies a span kernel into a new tensor of x's shape.</summary>
    internal static Tensor<T> Map<T>(Tensor<T> x, SpanAction<T> kernel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Like(x);
        kernel(x.ReadOnlySpan, y.Span);
        return y;
    }

    /// <summary>Applies a span kernel into a destination of x's shape.</summary>
    internal static void MapInto<T>(Tensor<T> x, Tensor<T> destination, SpanAction<T> kernel, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(destination);
        destination.RequireShape(x.Shape, operation, "the destination");
        RequireNoPartialAlias(x, destination, operation);
        kernel(x.ReadOnlySpan, destination.Span);
    }

    /// <summary>Applies a scalar double function element by element.</summary>
    internal static Tensor<T> MapScalar<T>(Tensor<T> x, Func<double, double> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = Like(x);
        ApplyScalar(x.ReadOnlySpan, y.Span, f);
        return y;
    }

    /// <summary>d[i] = f(s[i]) evaluated in double and rounded once to T.</summary>
    internal static void ApplyScalar<T>(ReadOnlySpan<T> s, Span<T> d, Func<double, double> f)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < s.Length; i++)
        {
            d[i] = T.CreateTruncating(f(double.CreateTruncating(s[i])));
        }
    }

    private static Tensor<T> Like<T>(Tensor<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return new Tensor<T>(x.Shape);
    }

    /// <summary>A kernel from a source span into a destination span.</summary>
    internal delegate void SpanAction<T>(ReadOnlySpan<T> source, Span<T> destination);
}
