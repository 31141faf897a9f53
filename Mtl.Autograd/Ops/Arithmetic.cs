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

    /// <summary>a + b for a constant tensor b (not copied), with broadcasting.</summary>
    public static Var<T> operator +(Var<T> a, Tensor<T> b) => AddNode<T>.Forward(a, Tape.ConstantOf(b));

    /// <summary>a + b for a constant tensor a (not copied), with broadcasting.</summary>
    public static Var<T> operator +(Tensor<T> a, Var<T> b) => AddNode<T>.Forward(Tape.ConstantOf(a), b);

    /// <summary>a − b for a constant tensor b (not copied), with broadcasting: a loss's prediction − target.</summary>
    public static Var<T> operator -(Var<T> a, Tensor<T> b) => SubtractNode<T>.Forward(a, Tape.ConstantOf(b));

    /// <summary>a − b for a constant tensor a (not copied), with broadcasting.</summary>
    public static Var<T> operator -(Tensor<T> a, Var<T> b) => SubtractNode<T>.Forward(Tape.ConstantOf(a), b);

    /// <summary>a ⊙ b for a constant tensor b (not copied), with broadcasting.</summary>
    public static Var<T> operator *(Var<T> a, Tensor<T> b) => MultiplyNode<T>.Forward(a, Tape.ConstantOf(b));

    /// <summary>a ⊙ b for a constant tensor a (not copied), with broadcasting.</summary>
    public static Var<T> operator *(Tensor<T> a, Var<T> b) => MultiplyNode<T>.Forward(Tape.ConstantOf(a), b);

    /// <summary>a / b for a constant tensor b (not copied), with broadcasting.</summary>
    public static Var<T> operator /(Var<T> a, Tensor<T> b) => DivideNode<T>.Forward(a, Tape.ConstantOf(b));

    /// <summary>a / b for a constant tensor a (not copied), with broadcasting.</summary>
    public static Var<T> operator /(Tensor<T> a, Var<T> b) => DivideNode<T>.Forward(Tape.ConstantOf(a), b);
}

/// <summary>y = a + b; da = Σ_broadcast dy, db = Σ_broadcast dy.</summary>
internal sealed class AddNode<T> : BinaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "add";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("add", a, b);
        var shape = Shape.Broadcast(a.Shape, b.Shape, "add");
        var y = tape.NewTensor<T>(shape);
        Tensor.Add(a.Value, b.Value, y);
        var node = NodePool<AddNode<T>>.Rent();
        node.SetInputs(a, b);
        return tape.Record(node, y, a.RequiresGrad || b.RequiresGrad);
    }

    private protected override void Release()
    {
        ClearInputs();
        NodePool<AddNode<T>>.Return(this);
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
internal sealed class SubtractNode<T> : BinaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "sub";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("sub", a, b);
        var y = tape.NewTensor<T>(Shape.Broadcast(a.Shape, b.Shape, "sub"));
        Tensor.Subtract(a.Value, b.Value, y);
        var node = NodePool<SubtractNode<T>>.Rent();
        node.SetInputs(a, b);
        return tape.Record(node, y, a.RequiresGrad || b.RequiresGrad);
    }

    private protected override void Release()
    {
        ClearInputs();
        NodePool<SubtractNode<T>>.Return(this);
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
internal sealed class MultiplyNode<T> : BinaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "mul";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("mul", a, b);
        var y = tape.NewTensor<T>(Shape.Broadcast(a.Shape, b.Shape, "mul"));
        Tensor.Multiply(a.Value, b.Value, y);
        var node = NodePool<MultiplyNode<T>>.Rent();
        node.SetInputs(a, b);
        return tape.Record(node, y, a.RequiresGrad || b.RequiresGrad);
    }

    private protected override void Release()
    {
        ClearInputs();
        NodePool<MultiplyNode<T>>.Return(this);
    }

    internal override void Backward()
    {
        AccumulateProduct(A.GradSink(), B.Value);
        AccumulateProduct(B.GradSink(), A.Value);
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
internal sealed class DivideNode<T> : BinaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "div";

    public static Var<T> Forward(Var<T> a, Var<T> b)
    {
        var tape = Tape.ForOp("div", a, b);
        var y = tape.NewTensor<T>(Shape.Broadcast(a.Shape, b.Shape, "div"));
        Tensor.Divide(a.Value, b.Value, y);
        var node = NodePool<DivideNode<T>>.Rent();
        node.SetInputs(a, b);
        return tape.Record(node, y, a.RequiresGrad || b.RequiresGrad);
    }

    private protected override void Release()
    {
        ClearInputs();
        NodePool<DivideNode<T>>.Return(this);
    }

    internal override void Backward()
    {
        var tape = Tape.Current;
        if (A.GradSink() is { } ga)
        {
            var t = tape.NewTensor<T>(Dy.Shape);
            Tensor.Divide(Dy, B.Value, t);
            Tensor.SumTo(t, ga, accumulate: true);
        }

        if (B.GradSink() is { } gb)
        {
            var t = tape.NewTensor<T>(Dy.Shape);
            Tensor.Multiply(Dy, Y.Value, t);
            Tensor.Divide(t, B.Value, t);
            TensorPrimitives.Negate(t.ReadOnlySpan, t.Span);
            Tensor.SumTo(t, gb, accumulate: true);
        }
    }
}

/// <summary>y = α·x + β for scalars α, β (negation, scalar add and multiply); dx = α·dy.</summary>
internal sealed class ScaleNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T _alpha;
    private T _beta;
    private string _name = string.Empty;

    public override string OpName => _name;

    public override string Detail => _beta == T.Zero ? $"α={_alpha}" : $"α={_alpha} β={_beta}";

    public static Var<T> Forward(Var<T> x, T alpha, T beta, string name)
    {
        var tape = Tape.ForOp(name, x);
        var y = tape.NewTensor<T>(x.Shape);
        TensorPrimitives.Multiply(x.Value.ReadOnlySpan, alpha, y.Span);
        if (beta != T.Zero)
        {
            TensorPrimitives.Add(y.ReadOnlySpan, beta, y.Span);
        }

        var node = NodePool<ScaleNode<T>>.Rent();
        node.SetInput(x);
        (node._alpha, node._beta, node._name) = (alpha, beta, name);
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is { } gx)
        {
            TensorPrimitives.MultiplyAdd(Dy.ReadOnlySpan, _alpha, gx.ReadOnlySpan, gx.Span);
        }
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<ScaleNode<T>>.Return(this);
    }
}
