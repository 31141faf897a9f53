using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public sealed partial class Var<T>
{
    /// <summary>Σ of all elements (a scalar).</summary>
    public Var<T> Sum() => SumNode<T>.Forward(this, axis: null, keepDim: false, mean: false);

    /// <summary>Σ along <paramref name="axis"/>.</summary>
    public Var<T> Sum(int axis, bool keepDim = false) => SumNode<T>.Forward(this, axis, keepDim, mean: false);

    /// <summary>Mean of all elements (a scalar).</summary>
    public Var<T> Mean() => SumNode<T>.Forward(this, axis: null, keepDim: false, mean: true);

    /// <summary>Mean along <paramref name="axis"/>.</summary>
    public Var<T> Mean(int axis, bool keepDim = false) => SumNode<T>.Forward(this, axis, keepDim, mean: true);

    /// <summary>Maximum along <paramref name="axis"/>; the gradient goes to the first maximal element.</summary>
    public Var<T> Max(int axis, bool keepDim = false) => MaxNode<T>.Forward(this, axis, keepDim);
}

/// <summary>y = c·Σ x (over all elements or one axis; c = 1, or 1/n for a mean); dx = c·dy broadcast back.</summary>
internal sealed class SumNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private int? _axis;
    private T _scale;

    public override string OpName => _scale == T.One ? "sum" : "mean";

    public override string Detail => _axis is null ? "all" : $"axis={_axis}";

    public static Var<T> Forward(Var<T> x, int? axis, bool keepDim, bool mean)
    {
        string name = mean ? "mean" : "sum";
        var tape = Tape.ForOp(name, x);
        Tensor<T> y;
        T scale;
        if (axis is null)
        {
            y = tape.NewTensor<T>(Shape.Scalar);
            scale = mean ? T.One / T.CreateTruncating(x.Shape.Length) : T.One;
            y.Span[0] = Tensor.Sum(x.Value) * scale;
        }
        else
        {
            int a = x.Shape.NormalizeAxis(axis.Value);
            scale = mean ? T.One / T.CreateTruncating(x.Shape[a]) : T.One;
            var (outer, n, inner, shape) = Tensor.AxisView(x.Value, a, keepDim);
            y = tape.NewTensor<T>(shape);
            Tensor.SumAxisInto(x.Value.ReadOnlySpan, y.Span, outer, n, inner);
            if (mean)
            {
                y.MultiplyInPlace(scale);
            }

            axis = a;
        }

        var node = NodePool<SumNode<T>>.Rent();
        node.SetInput(x);
        (node._axis, node._scale) = (axis, scale);
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is not { } gx)
        {
            return;
        }

        if (_axis is null)
        {
            TensorPrimitives.Add(gx.ReadOnlySpan, Dy.ReadOnlySpan[0] * _scale, gx.Span);
            return;
        }

        // Broadcast dy (viewed with the reduced axis kept as 1) back over the axis.
        var tape = Tape.Current;
        var g = Dy;
        if (_scale != T.One)
        {
            g = tape.NewTensor<T>(Dy.Shape);
            TensorPrimitives.Multiply(Dy.ReadOnlySpan, _scale, g.Span);
        }

        Tensor.Add(gx, tape.NewView(g, X.Shape.Reduce(_axis.Value, keepDim: true)), gx);
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<SumNode<T>>.Return(this);
    }
}

/// <summary>y = max x along an axis; dx = dy at the first maximal element of each slice, 0 elsewhere.</summary>
internal sealed class MaxNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private int _axis;

    public override string OpName => "max";

    public override string Detail => $"axis={_axis}";

    public static Var<T> Forward(Var<T> x, int axis, bool keepDim)
    {
        var tape = Tape.ForOp("max", x);
        int a = x.Shape.NormalizeAxis(axis);
        var y = tape.NewTensor<T>(x.Shape.Reduce(a, keepDim));
        Tensor.ExtremeInto(x.Value, a, y, max: true);
        var node = NodePool<MaxNode<T>>.Rent();
        node.SetInput(x);
        node._axis = a;
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is not { } gx)
        {
            return;
        }

        var (outer, n, inner, _) = Tensor.AxisView(X.Value, _axis, keepDim: false);
        var xs = X.Value.ReadOnlySpan;
        var ys = Y.Value.ReadOnlySpan;
        var g = Dy.ReadOnlySpan;
        var d = gx.Span;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int r = (o * inner) + i;
                for (int k = 0; k < n; k++)
                {
                    int at = (((o * n) + k) * inner) + i;
                    if (xs[at] == ys[r] || (T.IsNaN(xs[at]) && T.IsNaN(ys[r])))
                    {
                        d[at] += g[r];
                        break;
                    }
                }
            }
        }
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<MaxNode<T>>.Return(this);
    }
}
