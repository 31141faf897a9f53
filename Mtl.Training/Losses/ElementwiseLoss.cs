using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>
/// A loss that is a sum of per-element terms l(p, t), composed from autograd primitives (so it needs no
/// backward of its own). This base does what every such loss shares: it aligns the target with the
/// prediction, drops masked rows (by gathering the kept ones), rejects non-finite targets on kept rows,
/// and reduces: mean = Σ wᵢ Σₖ lᵢₖ / (K·Σ wᵢ) over the kept rows, sum = Σ wᵢ Σₖ lᵢₖ.
/// </summary>
/// <remarks>Shapes are matched exactly, never broadcast: a prediction [N, 1] against a target [N] would
/// otherwise silently broadcast to [N, N]. The only accepted mismatch is [N, 1] against [N] (either way
/// round), which is reshaped.</remarks>
public abstract class ElementwiseLoss<T> : ITaskLoss<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Sets the loss's name, kind and reduction.</summary>
    protected ElementwiseLoss(string name, TaskKind kind, LossReduction reduction)
    {
        Name = name;
        Kind = kind;
        Reduction = reduction;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public TaskKind Kind { get; }

    /// <inheritdoc />
    public LossReduction Reduction { get; }

    /// <inheritdoc />
    public Var<T> Compute(Var<T> prediction, Tensor<T> target, Tensor<T>? mask = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (prediction.Shape.Rank == 0)
        {
            throw new ArgumentException($"{Name}: the prediction is a scalar; expected a batch [N, ...].", nameof(prediction));
        }

        var aligned = Align(prediction.Shape, target);
        int n = prediction.Shape[0];
        var rows = RowMask<T>.From(Name, mask, n);
        if (rows.Count == 0)
        {
            return Zero(prediction);
        }

        CheckTargets(aligned, mask);
        var p = rows.Rows is null ? prediction : prediction.Gather(rows.Rows);
        var t = rows.Rows is null ? aligned : Tensor.Gather(aligned, rows.Rows);
        return Reduce(PointLoss(p, t), rows);
    }

    /// <summary>The per-element terms l(p, t), the shape of <paramref name="prediction"/>.</summary>
    protected abstract Var<T> PointLoss(Var<T> prediction, Tensor<T> target);

    /// <summary>Throws when a finite target value is outside the loss's domain (e.g. [0, 1]).</summary>
    protected virtual void CheckTarget(T value, int row)
    {
    }

    /// <summary>An ArgumentException naming this loss and a row, for <see cref="CheckTarget"/>.</summary>
    protected ArgumentException TargetError(T value, int row, string expected) =>
        new($"{Name}: target {value} on row {row} is {expected}; mask the row (weight 0) if its label is missing.", "target");

    /// <summary>0 with a zero gradient to the prediction: where(0, p, 0) selects 0 everywhere and passes
    /// 0·dy back, so even a non-finite prediction yields no NaN.</summary>
    internal static Var<T> Zero(Var<T> prediction) =>
        Ops.Where(Tensor.Zeros<T>(1), prediction, Var<T>.Constant(Tensor.Zeros<T>(1))).Sum();

    private Tensor<T> Align(Shape prediction, Tensor<T> target)
    {
        var t = target.Shape;
        if (t == prediction)
        {
            return target;
        }

        bool columnVsVector = prediction.Rank == 2 && prediction[1] == 1 && t.Rank == 1 && t[0] == prediction[0];
        bool vectorVsColumn = prediction.Rank == 1 && t.Rank == 2 && t[1] == 1 && t[0] == prediction[0];
        if (columnVsVector || vectorVsColumn)
        {
            return target.Reshape(prediction);
        }

        throw new ArgumentException($"{Name}: prediction {prediction} and target {t} do not match (expected the same shape, or [N, 1] against [N]); shapes are not broadcast.", nameof(target));
    }

    private void CheckTargets(Tensor<T> target, Tensor<T>? mask)
    {
        int n = target.Shape[0], perRow = target.Length / n;
        var s = target.ReadOnlySpan;
        for (int i = 0; i < n; i++)
        {
            if (mask is not null && mask[i] == T.Zero)
            {
                continue;
            }

            foreach (T v in s.Slice(i * perRow, perRow))
            {
                if (!T.IsFinite(v))
                {
                    throw TargetError(v, i, "not finite");
                }

                CheckTarget(v, i);
            }
        }
    }

    private Var<T> Reduce(Var<T> terms, RowMask<T> rows)
    {
        int m = terms.Shape[0], perRow = terms.Shape.Length / m;
        if (rows.Weights is null)
        {
            return Reduction == LossReduction.Mean ? terms.Mean() : terms.Sum();
        }

        // Row weights as a column [M, 1, ...] broadcast over each row, pre-divided by K·Σw for the mean.
        Span<int> dims = stackalloc int[terms.Shape.Rank];
        dims.Fill(1);
        dims[0] = m;
        T scale = Reduction == LossReduction.Mean ? T.One / (T.CreateTruncating(perRow) * rows.WeightSum) : T.One;
        var w = new Tensor<T>(new Shape(dims));
        TensorPrimitives.Multiply(rows.Weights, scale, w.Span);
        return (terms * Var<T>.Constant(w)).Sum();
    }
}
