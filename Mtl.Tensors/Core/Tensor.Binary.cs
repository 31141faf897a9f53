using System.Numerics;
using Mtl.Tensors.Kernels;

namespace Mtl.Tensors;

public static partial class Tensor
{
    /// <summary>x + y with broadcasting.</summary>
    public static Tensor<T> Add<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary(x, y, default(AddOp<T>), nameof(Add));

    /// <summary>destination = x + y with broadcasting (the destination may be x itself).</summary>
    public static void Add<T>(Tensor<T> x, Tensor<T> y, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryInto(x, y, destination, default(AddOp<T>), nameof(Add));

    /// <summary>x - y with broadcasting.</summary>
    public static Tensor<T> Subtract<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary(x, y, default(SubtractOp<T>), nameof(Subtract));

    /// <summary>destination = x - y with broadcasting.</summary>
    public static void Subtract<T>(Tensor<T> x, Tensor<T> y, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryInto(x, y, destination, default(SubtractOp<T>), nameof(Subtract));

    /// <summary>x · y element-wise with broadcasting.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary(x, y, default(MultiplyOp<T>), nameof(Multiply));

    /// <summary>destination = x · y element-wise with broadcasting.</summary>
    public static void Multiply<T>(Tensor<T> x, Tensor<T> y, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryInto(x, y, destination, default(MultiplyOp<T>), nameof(Multiply));

    /// <summary>x / y element-wise with broadcasting.</summary>
    public static Tensor<T> Divide<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary(x, y, default(DivideOp<T>), nameof(Divide));

    /// <summary>destination = x / y element-wise with broadcasting.</summary>
    public static void Divide<T>(Tensor<T> x, Tensor<T> y, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryInto(x, y, destination, default(DivideOp<T>), nameof(Divide));

    /// <summary>Element-wise maximum with broadcasting (NaN-propagating, as torch.maximum).</summary>
    public static Tensor<T> Maximum<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary(x, y, default(MaximumOp<T>), nameof(Maximum));

    /// <summary>destination = element-wise maximum of x and y.</summary>
    public static void Maximum<T>(Tensor<T> x, Tensor<T> y, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryInto(x, y, destination, default(MaximumOp<T>), nameof(Maximum));

    /// <summary>Element-wise minimum with broadcasting (NaN-propagating, as torch.minimum).</summary>
    public static Tensor<T> Minimum<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary(x, y, default(MinimumOp<T>), nameof(Minimum));

    /// <summary>destination = element-wise minimum of x and y.</summary>
    public static void Minimum<T>(Tensor<T> x, Tensor<T> y, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryInto(x, y, destination, default(MinimumOp<T>), nameof(Minimum));

    /// <summary>x^y element-wise with broadcasting.</summary>
    public static Tensor<T> Pow<T>(Tensor<T> x, Tensor<T> y)
        where T : unmanaged, IFloatingPointIeee754<T> => Binary(x, y, default(PowOp<T>), nameof(Pow));

    /// <summary>destination = x^y element-wise with broadcasting.</summary>
    public static void Pow<T>(Tensor<T> x, Tensor<T> y, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> => BinaryInto(x, y, destination, default(PowOp<T>), nameof(Pow));

    /// <summary>A 0/1 mask of <paramref name="comparison"/> between x and y, with broadcasting.</summary>
    public static Tensor<T> Compare<T>(Tensor<T> x, Tensor<T> y, Comparison comparison)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Binary(x, y, new CompareOp<T>(comparison), nameof(Compare));

    /// <summary>destination = 0/1 mask of <paramref name="comparison"/> between x and y.</summary>
    public static void Compare<T>(Tensor<T> x, Tensor<T> y, Comparison comparison, Tensor<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        BinaryInto(x, y, destination, new CompareOp<T>(comparison), nameof(Compare));

    /// <summary>x + s for a scalar s.</summary>
    public static Tensor<T> Add<T>(Tensor<T> x, T s)
        where T : unmanaged, IFloatingPointIeee754<T> => Scalar(x, s, default(AddOp<T>));

    /// <summary>x · s for a scalar s.</summary>
    public static Tensor<T> Multiply<T>(Tensor<T> x, T s)
        where T : unmanaged, IFloatingPointIeee754<T> => Scalar(x, s, default(MultiplyOp<T>));

    /// <summary>x^p for a scalar exponent p.</summary>
    public static Tensor<T> Pow<T>(Tensor<T> x, T p)
        where T : unmanaged, IFloatingPointIeee754<T> => Scalar(x, p, default(PowOp<T>));

    /// <summary>A 0/1 mask of <paramref name="comparison"/> between x and a scalar.</summary>
    public static Tensor<T> Compare<T>(Tensor<T> x, T s, Comparison comparison)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Scalar(x, s, new CompareOp<T>(comparison));

    /// <summary><paramref name="x"/> broadcast (copied) to <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">x does not broadcast to the shape.</exception>
    public static Tensor<T> BroadcastTo<T>(Tensor<T> x, Shape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Shape.Broadcast(x.Shape, shape, nameof(BroadcastTo)) != shape)
        {
            throw new ArgumentException($"BroadcastTo: shape {x.Shape} cannot be broadcast to {shape}.", nameof(shape));
        }

        var y = new Tensor<T>(shape);
        BroadcastDriver.Run(y.ReadOnlySpan, shape, x.ReadOnlySpan, x.Shape, y.Span, shape, default(TakeSecondOp<T>));
        return y;
    }

    /// <summary>Where the mask is non-zero take a, else b; all three broadcast together.</summary>
    public static Tensor<T> Where<T>(Tensor<T> mask, Tensor<T> a, Tensor<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var shape = WhereShape(mask.Shape, a.Shape, b.Shape);
        var y = new Tensor<T>(shape);
        WhereInto(mask, a, b, y, new Tensor<T>(shape), a.Shape == shape ? null : new Tensor<T>(shape));
        return y;
    }

    /// <summary>The shape mask, a and b broadcast to together.</summary>
    internal static Shape WhereShape(Shape mask, Shape a, Shape b) =>
        Shape.Broadcast(mask, Shape.Broadcast(a, b, nameof(Where)), nameof(Where));

    /// <summary>
    /// y = mask ? a : b into <paramref name="destination"/> (of the broadcast shape), leaving the mask
    /// normalised to 0/1 in that shape in <paramref name="normalizedMask"/> (the backward rule needs it);
    /// <paramref name="scratch"/> holds a broadcast copy of a and may be null when a already has that shape.
    /// </summary>
    internal static void WhereInto<T>(Tensor<T> mask, Tensor<T> a, Tensor<T> b, Tensor<T> destination, Tensor<T> normalizedMask, Tensor<T>? scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = destination.Shape;
        BroadcastDriver.Run(normalizedMask.ReadOnlySpan, shape, mask.ReadOnlySpan, mask.Shape, normalizedMask.Span, shape, default(TakeSecondOp<T>));
        ElementwiseDriver.Binary(normalizedMask.ReadOnlySpan, T.Zero, normalizedMask.Span, new CompareOp<T>(Comparison.NotEqual));
        BroadcastDriver.Run(destination.ReadOnlySpan, shape, b.ReadOnlySpan, b.Shape, destination.Span, shape, default(TakeSecondOp<T>));
        var av = a;
        if (a.Shape != shape)
        {
            av = scratch!;
            BroadcastDriver.Run(av.ReadOnlySpan, shape, a.ReadOnlySpan, a.Shape, av.Span, shape, default(TakeSecondOp<T>));
        }

        var ms = normalizedMask.ReadOnlySpan;
        var asp = av.ReadOnlySpan;
        var ys = destination.Span;
        for (int i = 0; i < ys.Length; i++)
        {
            if (ms[i] != T.Zero)
            {
                ys[i] = asp[i];
            }
        }
    }

    private static Tensor<T> Binary<T, TOp>(Tensor<T> x, Tensor<T> y, TOp op, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var shape = Shape.Broadcast(x.Shape, y.Shape, operation);
        var d = new Tensor<T>(shape);
        BroadcastDriver.Run(x.ReadOnlySpan, x.Shape, y.ReadOnlySpan, y.Shape, d.Span, shape, op);
        return d;
    }

    private static void BinaryInto<T, TOp>(Tensor<T> x, Tensor<T> y, Tensor<T> destination, TOp op, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(destination);
        var shape = Shape.Broadcast(x.Shape, y.Shape, operation);
        destination.RequireShape(shape, operation, "the destination");
        RequireNoPartialAlias(x, destination, operation);
        RequireNoPartialAlias(y, destination, operation);
        BroadcastDriver.Run(x.ReadOnlySpan, x.Shape, y.ReadOnlySpan, y.Shape, destination.Span, shape, op);
    }

    private static Tensor<T> Scalar<T, TOp>(Tensor<T> x, T s, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var d = new Tensor<T>(x.Shape);
        ElementwiseDriver.Binary(x.ReadOnlySpan, s, d.Span, op);
        return d;
    }

    /// <summary>An element-wise destination may be an operand itself, but not overlap one any other way:
    /// a broadcast operand would be read after part of it was overwritten.</summary>
    internal static void RequireNoPartialAlias<T>(Tensor<T> operand, Tensor<T> destination, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!ReferenceEquals(operand.Buffer, destination.Buffer) || operand.Length == 0 || destination.Length == 0)
        {
            return;
        }

        bool same = operand.Offset == destination.Offset && operand.Shape == destination.Shape;
        bool disjoint = operand.Offset + operand.Length <= destination.Offset || destination.Offset + destination.Length <= operand.Offset;
        if (!same && !disjoint)
        {
            throw new ArgumentException($"{operation}: the destination {destination.Shape} overlaps an operand {operand.Shape} without being that operand.", nameof(destination));
        }
    }
}
