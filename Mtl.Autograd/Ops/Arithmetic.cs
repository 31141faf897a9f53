using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public sealed partial class Var<T>
{
    /// <summary>a + b with broadcasting.</summary>
    public static Var<T> operator +(Var<T> a, Var<T> b) => AddNode<T>.Forward(a, b);

    /// <summary>a − b with broadcasting.</summary>
    public static Var<T> operator -(Var<T> a, Var<T> b) => SubtractNode<T>.Forward(a, b);

    /// <summary>a ⊙ b (element-wise) with broadcasting.</summary>
    public static Var<T> operator *(Var<T> a, Var<T> b) => MultiplyNode<T>.Forward(a, b);

    /// <summary>a / b (element-wise) with broadcasting.</summary>
    public static Var<T> operator /(Var<T> a, Var<T> b) => DivideNode<T>.Forward(a, b);

    /// <summary>−a.</summary>
    public static Var<T> operator -(Var<T> a) => ScaleNode<T>.Forward(a, -T.One, T.Zero, "neg");

    /// <summary>a + s.</summary>
    public static Var<T> operator +(Var<T> a, T s) => ScaleNode<T>.Forward(a, T.One, s, "add_scalar");

    /// <summary>s + a.</summary>
    public static Var<T> operator +(T s, Var<T> a) => ScaleNode<T>.Forward(a, T.One, s, "add_scalar");

    /// <summary>a − s.</summary>
    public static Var<T> operator -(Var<T> a, T s) => ScaleNode<T>.Forward(a, T.One, -s, "add_scalar");

    /// <summary>s − a.</summary>
    public static Var<T> operator -(T s, Var<T> a) => ScaleNode<T>.Forward(a, -T.One, s, "rsub_scalar");

    /// <summary>a · s.</summary>
    public static Var<T> operator *(Var<T> a, T s) => ScaleNode<T>.Forward(a, s, T.Zero, "mul_scalar");

    /// <summary>s · a.</summary>
    public static Var<T> operator *(T s, Var<T> a) => ScaleNode<T>.Forward(a, s, T.Zero, "mul_scalar");

    /// <summary>a / s.</summary>
    public static Var<T> operator /(Var<T> a, T s) => ScaleNode<T>.Forward(a, T.One / s, T.Zero, "div_scalar");

    /// <summary>−a (named form of the unary minus).</summary>
    public Var<T> Neg() => -this;
}

/// <summary>y = a + b; da = Σ_broadcast dy, db = Σ_broadcast dy.</summary>
internal sealed class AddNode<T>(Var<T> a, Var<T> b) : BinaryNode<T>(a, b)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "add";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("add", a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, "add");
        var y = tape.NewTensor<T>(shape);
        Tensor.Add(a.Data, b.Data, y);
        return tape.Record(new AddNode<T>(a, b), y, a.RequiresGrad || b.RequiresGrad);
    }

    internal override void Backward()
    {
        if (A.GradSink() is { } ga)
        {
            Tensor.SumTo(Dy, ga, accumulate: true);
        }

        if (B.GradSink() is { } gb)
        {
            Tensor.SumTo(Dy, gb, accumulate: true);
        }
    }
}

/// <summary>y = a − b; da = Σ_broadcast dy, db = −Σ_broadcast dy.</summary>
internal sealed class SubtractNode<T>(Var<T> a, Var<T> b) : BinaryNode<T>(a, b)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "sub";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("sub", a, b);
        var y = tape.NewTensor<T>(Shape.Broadcast(a.Shape, b.Shape, "sub"));
        Tensor.Subtract(a.Data, b.Data, y);
        return tape.Record(new SubtractNode<T>(a, b), y, a.RequiresGrad || b.RequiresGrad);
    }

    internal override void Backward()
    {
        if (A.GradSink() is { } ga)
        {
            Tensor.SumTo(Dy, ga, accumulate: true);
        }

        if (B.GradSink() is { } gb)
        {
            if (gb.Shape == Dy.Shape)
            {
                TensorPrimitives.Subtract(gb.ReadOnlySpan, Dy.ReadOnlySpan, gb.Span);
                return;
            }

            var summed = Tape.Current.NewTensor<T>(gb.Shape);
            Tensor.SumTo(Dy, summed, accumulate: false);
            TensorPrimitives.Subtract(gb.ReadOnlySpan, summed.ReadOnlySpan, gb.Span);
        }
    }
}

/// <summary>y = a ⊙ b; da = Σ_broadcast dy ⊙ b, db = Σ_broadcast dy ⊙ a.</summary>
internal sealed class MultiplyNode<T>(Var<T> a, Var<T> b) : BinaryNode<T>(a, b)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "mul";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("mul", a, b);
        var y = tape.NewTensor<T>(Shape.Broadcast(a.Shape, b.Shape, "mul"));
        Tensor.Multiply(a.Data, b.Data, y);
        return tape.Record(new MultiplyNode<T>(a, b), y, a.RequiresGrad || b.RequiresGrad);
    }

    internal override void Backward()
    {
        AccumulateProduct(A.GradSink(), B.Data);
        AccumulateProduct(B.GradSink(), A.Data);
    }

    /// <summary>g += Σ_broadcast dy ⊙ other.</summary>
    private void AccumulateProduct(Tensor<T>? g, Tensor<T> other)
    {
        if (g is null)
        {
            return;
        }

        if (g.Shape == Dy.Shape && other.Shape == Dy.Shape)
        {
            TensorPrimitives.MultiplyAdd(Dy.ReadOnlySpan, other.ReadOnlySpan, g.ReadOnlySpan, g.Span);
            return;
        }

        var product = Tape.Current.NewTensor<T>(Dy.Shape);
        Tensor.Multiply(Dy, other, product);
        Tensor.SumTo(product, g, accumulate: true);
    }
}

/// <summary>y = a / b; da = Σ_broadcast dy / b, db = −Σ_broadcast dy ⊙ y / b.</summary>
internal sealed class DivideNode<T>(Var<T> a, Var<T> b) : BinaryNode<T>(a, b)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "div";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("div", a, b);
        var y = tape.NewTensor<T>(Shape.Broadcast(a.Shape, b.Shape, "div"));
        Tensor.Divide(a.Data, b.Data, y);
        return tape.Record(new DivideNode<T>(a, b), y, a.RequiresGrad || b.RequiresGrad);
    }

    internal override void Backward()
    {
        var tape = Tape.Current;
        if (A.GradSink() is { } ga)
        {
            var t = tape.NewTensor<T>(Dy.Shape);
            Tensor.Divide(Dy, B.Data, t);
            Tensor.SumTo(t, ga, accumulate: true);
        }

        if (B.GradSink() is { } gb)
        {
            var t = tape.NewTensor<T>(Dy.Shape);
            Tensor.Multiply(Dy, Y.Data, t);
            Tensor.Divide(t, B.Data, t);
            TensorPrimitives.Negate(t.ReadOnlySpan, t.Span);
            Tensor.SumTo(t, gb, accumulate: true);
        }
    }
}

/// <summary>y = α·x + β for scalars α, β (negation, scalar add and multiply); dx = α·dy.</summary>
internal sealed class ScaleNode<T>(Var<T> x, T alpha, T beta, string name) : UnaryNode<T>(x)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => name;

    public override string Detail => beta == T.Zero ? $"α={alpha}" : $"α={alpha} β={beta}";

    public static Var<T> Forward(Var<T> x, T alpha, T beta, string name)
    {
        var tape = Tape.ForOp(name, x);
        var y = tape.NewTensor<T>(x.Shape);
        TensorPrimitives.Multiply(x.Data.ReadOnlySpan, alpha, y.Span);
        if (beta != T.Zero)
        {
            TensorPrimitives.Add(y.ReadOnlySpan, beta, y.Span);
        }

        return tape.Record(new ScaleNode<T>(x, alpha, beta, name), y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is { } gx)
        {
            TensorPrimitives.MultiplyAdd(Dy.ReadOnlySpan, alpha, gx.ReadOnlySpan, gx.Span);
        }
    }
}
