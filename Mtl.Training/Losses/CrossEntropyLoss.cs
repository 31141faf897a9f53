using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>
/// Softmax cross-entropy from logits [N, C] and integer labels, torch.nn.CrossEntropyLoss:
/// l = logsumexp(xᵢ) − xᵢ[yᵢ], mean Σ wᵢlᵢ / Σ wᵢ over the unmasked rows; dl/dxᵢ = softmax(xᵢ) − onehot(yᵢ).
/// </summary>
/// <remarks>Uses the fused <see cref="Ops.CrossEntropy{T}"/> (log-softmax + NLL as one op on the tape):
/// composing log-softmax and a gather would store the [N, C] log-probabilities twice for no gain. The
/// mask goes in as the op's per-row weights; a row of weight 0 is skipped in the forward and the backward.</remarks>
public sealed class CrossEntropyLoss<T>(LossReduction reduction = LossReduction.Mean) : ITaskLoss<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public string Name => "cross_entropy";

    /// <inheritdoc />
    public TaskKind Kind => TaskKind.Classification;

    /// <inheritdoc />
    public LossReduction Reduction { get; } = reduction;

    /// <summary>The loss of logits <paramref name="prediction"/> [N, C] against class indices [N] (or [N, 1]) stored as
    /// numbers; masked rows may hold anything (NaN for a missing label).</summary>
    /// <exception cref="ArgumentException">A label on an unmasked row is not an integer in [0, C); the message names the row.</exception>
    public Var<T> Compute(Var<T> prediction, Tensor<T> target, Tensor<T>? mask = null)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        int n = CheckLogits(prediction);
        bool column = target.Rank == 2 && target.Shape[1] == 1;
        if ((target.Rank != 1 && !column) || target.Shape[0] != n)
        {
            throw new ArgumentException($"{Name}: logits {prediction.Shape} and target {target.Shape} do not match (expected class indices [{n}] or [{n}, 1]).", nameof(target));
        }

        var rows = RowMask<T>.From(Name, mask, n);
        var classes = T.CreateTruncating(prediction.Shape[1]);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (mask is not null && mask[i] == T.Zero)
            {
                continue;
            }

            T v = target[i];
            if (!T.IsInteger(v) || v < T.Zero || v >= classes)
            {
                throw new ArgumentException($"{Name}: target {v} on row {i} is not a class index in [0, {classes}); mask the row (weight 0) if its label is missing.", nameof(target));
            }

            labels[i] = int.CreateTruncating(v);
        }

        return Reduce(prediction, labels, mask, rows);
    }

    /// <summary>The loss of <paramref name="logits"/> [N, C] against integer labels [N].</summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a label on an unmasked row is outside [0, C); the message names the row.</exception>
    public Var<T> Compute(Var<T> logits, ReadOnlySpan<int> labels, Tensor<T>? mask = null)
    {
        ArgumentNullException.ThrowIfNull(logits);
        int n = CheckLogits(logits);
        if (labels.Length != n)
        {
            throw new ArgumentException($"{Name}: logits {logits.Shape} and {labels.Length} labels do not match (expected {n} labels).", nameof(labels));
        }

        return Reduce(logits, labels, mask, RowMask<T>.From(Name, mask, n));
    }

    private Var<T> Reduce(Var<T> logits, ReadOnlySpan<int> labels, Tensor<T>? mask, RowMask<T> rows)
    {
        int classes = logits.Shape[1];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((mask is null || mask[i] != T.Zero) && (uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException($"{Name}: label {labels[i]} on row {i} is outside [0, {classes}); mask the row (weight 0) if its label is missing.", nameof(labels));
            }
        }

        var mean = Ops.CrossEntropy(logits, labels, mask);
        return Reduction == LossReduction.Mean ? mean : mean * rows.WeightSum;
    }

    private int CheckLogits(Var<T> logits)
    {
        if (logits.Shape.Rank != 2)
        {
            throw new ArgumentException($"{Name}: logits have shape {logits.Shape}; expected [N, C].", nameof(logits));
        }

        return logits.Shape[0];
    }
}
