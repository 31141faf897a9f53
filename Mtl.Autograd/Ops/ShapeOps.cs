using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public sealed partial class Var<T>
{
    /// <summary>The same elements in a new shape (one dimension may be -1); shares storage.</summary>
    public Var<T> Reshape(params ReadOnlySpan<int> dims) => ReshapeNode<T>.Forward(this, dims);

    /// <summary>The transpose of a 2-D value.</summary>
    public Var<T> Transpose() => TransposeNode<T>.Forward(this);

    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along <paramref name="axis"/> (torch.narrow).</summary>
    public Var<T> Slice(int axis, int start, int length) => SliceNode<T>.Forward(this, axis, start, length);

    /// <summary>Rows (slices along axis 0) picked by <paramref name="indices"/> (torch.index_select on dim 0).</summary>
    public Var<T> Gather(int[] indices) => GatherNode<T>.Forward(this, indices);
}

/// <summary>y = x viewed in a new shape; dx = dy viewed in x's shape.</summary>
internal sealed class ReshapeNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "reshape";

    public static Var<T> Forward(Var<T> x, ReadOnlySpan<int> dims)
    {
        var tape = Tape.ForOp("reshape", x);
        var view = tape.NewView(x.Value, x.Value.ResolveReshape(dims));
        var node = NodePool<ReshapeNode<T>>.Rent();
        node.SetInput(x);
        return tape.Record(node, view, x.RequiresGrad);
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<ReshapeNode<T>>.Return(this);
    }

    internal override void Backward()
    {
        if (X.GradSink() is { } gx)
        {
            TensorPrimitives.Add(gx.ReadOnlySpan, Dy.ReadOnlySpan, gx.Span);
        }
    }
}

/// <summary>y = xᵀ; dx = dyᵀ.</summary>
internal sealed class TransposeNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "transpose";

    public static Var<T> Forward(Var<T> x)
    {
        var tape = Tape.ForOp("transpose", x);
        if (x.Shape.Rank != 2)
        {
            throw new ArgumentException($"transpose: expected a 2-D value, got {x.Describe()}.");
        }

        var y = tape.NewTensor<T>(new Shape(x.Shape[1], x.Shape[0]));
        Tensor.TransposeInto(x.Value.ReadOnlySpan, y.Span, x.Shape[0], x.Shape[1]);
        var node = NodePool<TransposeNode<T>>.Rent();
        node.SetInput(x);
        return tape.Record(node, y, x.RequiresGrad);
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<TransposeNode<T>>.Return(this);
    }

    internal override void Backward()
    {
        if (X.GradSink() is { } gx)
        {
            int rows = X.Shape[0], cols = X.Shape[1];
            var g = Dy.ReadOnlySpan;
            var d = gx.Span;
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    d[(i * cols) + j] += g[(j * rows) + i];
                }
            }
        }
    }
}

/// <summary>y = x[start : start+length] along an axis; dx[start : start+length] += dy, zero elsewhere.</summary>
internal sealed class SliceNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private int _axis;
    private int _start;

    public override string OpName => "slice";

    public override string Detail => $"axis={_axis} start={_start}";

    public static Var<T> Forward(Var<T> x, int axis, int start, int length)
    {
        var tape = Tape.ForOp("slice", x);
        int a = x.Shape.NormalizeAxis(axis);
        int n = x.Shape[a];
        if (start < 0 || length < 0 || (long)start + length > n)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"slice: [{start}, {start + length}) is out of range for axis {a} of {x.Describe()}.");
        }

        var y = tape.NewTensor<T>(x.Shape.WithDim(a, length));
        int outer = x.Shape.OuterSize(a), inner = x.Shape.InnerSize(a);
        var s = x.Value.ReadOnlySpan;
        var d = y.Span;
        for (int o = 0; o < outer; o++)
        {
            s.Slice(((o * n) + start) * inner, length * inner).CopyTo(d.Slice(o * length * inner, length * inner));
        }

        var node = NodePool<SliceNode<T>>.Rent();
        node.SetInput(x);
        (node._axis, node._start) = (a, start);
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is not { } gx)
        {
            return;
        }

        int n = X.Shape[_axis], length = Dy.Shape[_axis];
        int outer = X.Shape.OuterSize(_axis), inner = X.Shape.InnerSize(_axis);
        var g = Dy.ReadOnlySpan;
        var d = gx.Span;
        for (int o = 0; o < outer; o++)
        {
            var dst = d.Slice(((o * n) + _start) * inner, length * inner);
            TensorPrimitives.Add(dst, g.Slice(o * length * inner, length * inner), dst);
        }
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<SliceNode<T>>.Return(this);
    }
}

/// <summary>y[i] = x[indices[i]] (rows); dx[indices[i]] += dy[i], repeated indices accumulating.</summary>
internal sealed class GatherNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private int[] _indices = [];

    public override string OpName => "gather";

    public override string Detail => $"{_indices.Length} rows";

    public static Var<T> Forward(Var<T> x, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var tape = Tape.ForOp("gather", x);
        if (x.Shape.Rank == 0)
        {
            throw new ArgumentException("gather: a scalar has no rows.");
        }

        var y = tape.NewTensor<T>(x.Shape.WithDim(0, indices.Length));
        Tensor.GatherInto(x.Value, indices, y);
        var node = NodePool<GatherNode<T>>.Rent();
        node.SetInput(x);
        node._indices = indices;
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is { } gx)
        {
            Tensor.IndexAdd(gx, _indices, Dy);
        }
    }

    private protected override void Release()
    {
        ClearInput();
        _indices = [];
        NodePool<GatherNode<T>>.Return(this);
    }
}

public static partial class Ops
{
    /// <summary>Concatenation along <paramref name="axis"/>; each input's gradient is its slice of dy.</summary>
    public static Var<T> Concat<T>(IReadOnlyList<Var<T>> values, int axis)
        where T : unmanaged, IFloatingPointIeee754<T> => ConcatNode<T>.Forward(values, axis);
}

/// <summary>y = [x₀, x₁, ...] along an axis; dxᵢ = the slice of dy where xᵢ was placed.</summary>
internal sealed class ConcatNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Var<T>[] _xs = [];
    private int _axis;

    public override string OpName => "concat";

    public override string Detail => $"axis={_axis}";

    protected override IEnumerable<Var<T>> TypedInputs => _xs;

    public static Var<T> Forward(IReadOnlyList<Var<T>> values, int axis)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("concat: needs at least one value.", nameof(values));
        }

        var xs = values.ToArray();
        var tape = Tape.ForOp("concat", xs[0]);
        var tensors = new Tensor<T>[xs.Length];
        bool grad = false;
        for (int i = 0; i < xs.Length; i++)
        {
            xs[i].CheckUsable("concat", tape);
            tensors[i] = xs[i].Value;
            grad |= xs[i].RequiresGrad;
        }

        int a = xs[0].Shape.NormalizeAxis(axis);
        int total = Tensor.ValidateConcat(tensors, a);
        var y = tape.NewTensor<T>(xs[0].Shape.WithDim(a, total));
        Tensor.ConcatInto(tensors, a, y);
        var node = NodePool<ConcatNode<T>>.Rent();
        (node._xs, node._axis) = (xs, a);
        return tape.Record(node, y, grad);
    }

    internal override void Backward()
    {
        int outer = Dy.Shape.OuterSize(_axis), inner = Dy.Shape.InnerSize(_axis), total = Dy.Shape[_axis];
        var g = Dy.ReadOnlySpan;
        int at = 0;
        foreach (var x in _xs)
        {
            int run = x.Shape[_axis] * inner;
            if (x.GradSink() is { } gx)
            {
                var d = gx.Span;
                for (int o = 0; o < outer; o++)
                {
                    var dst = d.Slice(o * run, run);
                    TensorPrimitives.Add(dst, g.Slice((o * total * inner) + at, run), dst);
                }
            }

            at += run;
        }
    }

    private protected override void Release()
    {
        _xs = [];
        NodePool<ConcatNode<T>>.Return(this);
    }
}
