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

    /// <summary>
    /// The loss with a mask per element as well as per row (a multi-label task whose attributes may each be
    /// missing): with eᵢₖ = wᵢ·mᵢₖ, mean = Σ eᵢₖ·lᵢₖ / Σ eᵢₖ and sum = Σ eᵢₖ·lᵢₖ — PyTorch's
    /// <c>(loss(reduction='none') * m).sum() / m.sum()</c>. Rows with row weight 0 are dropped first, entries with
    /// mᵢₖ = 0 add nothing to the loss or its gradient, and their targets are not checked. No known entry: 0.
    /// </summary>
    /// <param name="prediction">[N, K].</param>
    /// <param name="target">[N, K]; entries with mᵢₖ = 0 may hold anything finite.</param>
    /// <param name="mask">Per-row weights [N], or null.</param>
    /// <param name="elementMask">[N, K] of finite weights ≥ 0 (0 missing, 1 known).</param>
    /// <exception cref="ArgumentException">Shapes disagree, a weight is negative or not finite, or a known target is invalid.</exception>
    public Var<T> Compute(Var<T> prediction, Tensor<T> target, Tensor<T>? mask, Tensor<T> elementMask)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(elementMask);
        if (prediction.Shape.Rank != 2 || target.Shape != prediction.Shape || elementMask.Shape != prediction.Shape)
        {
            throw new ArgumentException($"{Name}: with a mask per element the prediction, target and element mask must all be [N, K]; got {prediction.Shape}, {target.Shape} and {elementMask.Shape}.", nameof(elementMask));
        }

        int n = prediction.Shape[0], k = prediction.Shape[1];
        var rows = RowMask<T>.From(Name, mask, n);
        var kept = rows.Rows;
        int m = rows.Count;
        var weights = new Tensor<T>(m, k);
        var e = weights.Span;
        T total = T.Zero;
        for (int r = 0; r < m; r++)
        {
            int i = kept is null ? r : kept[r];
            T rowWeight = rows.Weights is null ? T.One : rows.Weights[r];
            for (int a = 0; a < k; a++)
            {
                T known = elementMask[i, a];
                if (!T.IsFinite(known) || known < T.Zero)
                {
                    throw new ArgumentException($"{Name}: element mask entry {known} at row {i}, column {a} is not a finite weight ≥ 0.", nameof(elementMask));
                }

                if (known == T.Zero)
                {
                    continue;
                }

                T v = target[i, a];
                if (!T.IsFinite(v))
                {
                    throw TargetError(v, i, "not finite");
                }

                CheckTarget(v, i);
                e[(r * k) + a] = rowWeight * known;
                total += rowWeight * known;
            }
        }

        if (total == T.Zero)
        {
            return Zero(prediction);
        }

        if (Reduction == LossReduction.Mean)
        {
            TensorPrimitives.Divide(e, total, e);
        }

        var p = kept is null ? prediction : prediction.Gather(kept);
        var t = kept is null ? target : Tensor.Gather(target, kept);
        return (PointLoss(p, t) * Var<T>.Constant(weights)).Sum();
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
