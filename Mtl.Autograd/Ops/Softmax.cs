using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public sealed partial class Var<T>
{
    /// <summary>Softmax along the last axis.</summary>
    public Var<T> Softmax() => SoftmaxNode<T>.Forward(this, log: false);

    /// <summary>Log-softmax along the last axis.</summary>
    public Var<T> LogSoftmax() => SoftmaxNode<T>.Forward(this, log: true);

    /// <summary>logsumexp along the last axis.</summary>
    public Var<T> LogSumExp(bool keepDim = false) => LogSumExpNode<T>.Forward(this, keepDim);
}

/// <summary>
/// Per row of the last axis. Softmax y: dx = y ⊙ (dy − Σ dy⊙y). Log-softmax y: dx = dy − e^y·Σ dy.
/// </summary>
internal sealed class SoftmaxNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private bool _log;

    public override string OpName => _log ? "log_softmax" : "softmax";

    public static Var<T> Forward(Var<T> x, bool log)
    {
        var tape = Tape.ForOp(log ? "log_softmax" : "softmax", x);
        var y = tape.NewTensor<T>(x.Shape);
        if (log)
        {
            Tensor.LogSoftmax(x.Value, y);
        }
        else
        {
            Tensor.Softmax(x.Value, y);
        }

        var node = NodePool<SoftmaxNode<T>>.Rent();
        node.SetInput(x);
        node._log = log;
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is not { } gx)
        {
            return;
        }

        int n = X.Shape[-1];
        var ys = Y.Value.ReadOnlySpan;
        var g = Dy.ReadOnlySpan;
        var d = gx.Span;
        for (int o = 0; o + n <= ys.Length && n > 0; o += n)
        {
            var y = ys.Slice(o, n);
            var dy = g.Slice(o, n);
            var dx = d.Slice(o, n);
            if (_log)
            {
                T total = TensorPrimitives.Sum(dy);
                for (int i = 0; i < n; i++)
                {
                    dx[i] += dy[i] - (T.Exp(y[i]) * total);
                }
            }
            else
            {
                T dot = TensorPrimitives.Dot(dy, y);
                for (int i = 0; i < n; i++)
                {
                    dx[i] += y[i] * (dy[i] - dot);
                }
            }
        }
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<SoftmaxNode<T>>.Return(this);
    }
}

/// <summary>y = log Σ eˣ per row; dx = dy·e^(x − y) (the softmax).</summary>
internal sealed class LogSumExpNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string OpName => "logsumexp";

    public static Var<T> Forward(Var<T> x, bool keepDim)
    {
        var tape = Tape.ForOp("logsumexp", x);
        if (x.Shape.Rank == 0)
        {
            throw new ArgumentException("logsumexp: needs at least one axis, got a scalar.");
        }

        var y = tape.NewTensor<T>(x.Shape.Reduce(-1, keepDim));
        Tensor.LogSumExpInto(x.Value, y);
        var node = NodePool<LogSumExpNode<T>>.Rent();
        node.SetInput(x);
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is not { } gx)
        {
            return;
        }

        int n = X.Shape[-1];
        var xs = X.Value.ReadOnlySpan;
        var ys = Y.Value.ReadOnlySpan;
        var g = Dy.ReadOnlySpan;
        var d = gx.Span;
        for (int r = 0; r < ys.Length; r++)
        {
            if (T.IsNegativeInfinity(ys[r]))
            {
                continue;
            }

            for (int i = 0; i < n; i++)
            {
                d[(r * n) + i] += g[r] * T.Exp(xs[(r * n) + i] - ys[r]);
            }
        }
    }

    private protected override void Release()
    {
        ClearInput();
        NodePool<LogSumExpNode<T>>.Return(this);
    }
}
