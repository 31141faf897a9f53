using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Softmax cross-entropy from logits [N, C] and integer labels, fused (log-softmax + NLL as one op):
    /// L = (1/W) Σᵢ wᵢ·(logsumexp(xᵢ) − xᵢ[yᵢ]) with W = Σ wᵢ (the number of rows when no weights are
    /// given). A weight of 0 masks a row out (a missing label). PyTorch's cross_entropy with mean reduction.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a label is outside [0, C) on a row with non-zero weight.</exception>
    public static Var<T> CrossEntropy<T>(Var<T> logits, ReadOnlySpan<int> labels, Tensor<T>? weights = null)
        where T : unmanaged, IFloatingPointIeee754<T> => CrossEntropyNode<T>.Forward(logits, labels, weights);
}

/// <summary>y = (1/W) Σ wᵢ(lseᵢ − xᵢ[yᵢ]); dxᵢ = dy·(wᵢ/W)·(softmax(xᵢ) − onehot(yᵢ)).</summary>
internal sealed class CrossEntropyNode<T> : UnaryNode<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor<T> _probabilities = null!;
    private int[] _labels = [];
    private Tensor<T>? _weights;
    private T _scale;

    public override string OpName => "cross_entropy";

    public static Var<T> Forward(Var<T> x, ReadOnlySpan<int> labels, Tensor<T>? weights)
    {
        var tape = Tape.ForOp("cross_entropy", x);
        if (x.Shape.Rank != 2 || labels.Length != x.Shape[0])
        {
            throw new ArgumentException($"cross_entropy: logits {x.Shape} and {labels.Length} labels do not fit (expected logits [N, C] and N labels).");
        }

        int rows = x.Shape[0], classes = x.Shape[1];
        if (weights is not null && (weights.Rank != 1 || weights.Length != rows))
        {
            throw new ArgumentException($"cross_entropy: weights {weights.Shape} do not match {rows} rows.");
        }

        // The softmax kept for backward and the loss share their exponentials: each row's x − max goes into probs,
        // one exp runs over the whole block (a row of a few classes is too short for the vector code alone), and
        // each row's Σ e^(x−max) then gives both the loss −log softmax(x)[y] = max + ln Σ − x[y] and the
        // normalisation.
        var probs = tape.NewTensor<T>(x.Shape);
        var xs = x.Value.ReadOnlySpan;
        var ps = probs.Span;
        for (int i = 0; i < rows; i++)
        {
            var row = xs.Slice(i * classes, classes);
            TensorPrimitives.Subtract(row, TensorPrimitives.Max(row), ps.Slice(i * classes, classes));
        }

        TensorPrimitives.Exp(ps, ps);
        T total = T.Zero, weightSum = T.Zero;
        for (int i = 0; i < rows; i++)
        {
            var row = xs.Slice(i * classes, classes);
            var p = ps.Slice(i * classes, classes);
            T sum = TensorPrimitives.Sum<T>(p);
            T w = weights is null ? T.One : weights[i];
            if (w != T.Zero)
            {
                int label = labels[i];
                if ((uint)label >= (uint)classes)
                {
                    throw new ArgumentException($"cross_entropy: label {label} on row {i} is outside [0, {classes}).", nameof(labels));
                }

                total += w * (TensorPrimitives.Max(row) + T.Log(sum) - row[label]);
                weightSum += w;
            }

            TensorPrimitives.Multiply(p, T.One / sum, p);
        }

        T scale = weightSum == T.Zero ? T.Zero : T.One / weightSum;
        var y = tape.NewTensor<T>(Shape.Scalar);
        y.Span[0] = total * scale;
        var node = NodePool<CrossEntropyNode<T>>.Rent();
        node.SetInput(x);
        (node._probabilities, node._labels, node._weights, node._scale) = (probs, tape.KeepIndices(labels), weights, scale);
        return tape.Record(node, y, x.RequiresGrad);
    }

    internal override void Backward()
    {
        if (X.GradSink() is not { } gx)
        {
            return;
        }

        int rows = X.Shape[0], classes = X.Shape[1];
        T g = Dy.ReadOnlySpan[0] * _scale;
        var ps = _probabilities.ReadOnlySpan;
        var d = gx.Span;
        for (int i = 0; i < rows; i++)
        {
            T w = _weights is null ? T.One : _weights[i];
            if (w == T.Zero)
            {
                continue;
            }

            T c = g * w;
            var dst = d.Slice(i * classes, classes);
            TensorPrimitives.MultiplyAdd(ps.Slice(i * classes, classes), c, dst, dst);
            dst[_labels[i]] -= c;
        }
    }

    private protected override void Release()
    {
        ClearInput();
        (_probabilities, _labels, _weights) = (null!, [], null);
        NodePool<CrossEntropyNode<T>>.Return(this);
    }
}
