using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>
/// Binary cross-entropy from logits for multi-label attributes, torch.nn.BCEWithLogitsLoss: for a logit x
/// and a target t ∈ [0, 1], l = −[p·t·log σ(x) + (1 − t)·log(1 − σ(x))] with p the class's pos_weight
/// (1 when none); dl/dx = σ(x)·(1 + (p − 1)t) − p·t, which is σ(x) − t without pos_weight.
/// </summary>
/// <remarks>
/// <para>Stable form: −log σ(x) = softplus(−x) and −log(1 − σ(x)) = softplus(x) = max(x, 0) + log(1 + e^(−|x|)),
/// so l = softplus(x) − x·t without pos_weight, and l = (1 + (p − 1)t)·softplus(x) − p·t·x with it.</para>
/// <para>softplus is the autograd op with no linear cut-off (threshold +∞), which evaluates exactly
/// max(x, 0) + log1p(e^(−|x|)) for every x and has the smooth derivative σ(x). Writing the formula out of
/// max, abs and softplus instead would give the subgradient −t at x = 0 rather than ½ − t: a zero-initialised
/// head would start with a wrong gradient.</para>
/// </remarks>
public sealed class BceWithLogitsLoss<T> : ElementwiseLoss<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="positiveWeight">pos_weight [K]: the weight of the positive term per attribute (the last
    /// axis of the logits), e.g. negatives/positives to balance a rare attribute; null for 1.</param>
    /// <param name="reduction">Mean (default) or sum.</param>
    public BceWithLogitsLoss(Tensor<T>? positiveWeight = null, LossReduction reduction = LossReduction.Mean)
        : base("bce_with_logits", TaskKind.Classification, reduction)
    {
        if (positiveWeight is not null)
        {
            if (positiveWeight.Rank != 1)
            {
                throw new ArgumentException($"bce_with_logits: pos_weight has shape {positiveWeight.Shape}; expected [K], one weight per attribute.", nameof(positiveWeight));
            }

            for (int k = 0; k < positiveWeight.Length; k++)
            {
                if (!T.IsFinite(positiveWeight[k]) || positiveWeight[k] <= T.Zero)
                {
                    throw new ArgumentException($"bce_with_logits: pos_weight[{k}] = {positiveWeight[k]} is not a finite number > 0.", nameof(positiveWeight));
                }
            }
        }

        PositiveWeight = positiveWeight;
    }

    /// <summary>pos_weight [K], or null.</summary>
    public Tensor<T>? PositiveWeight { get; }

    /// <inheritdoc />
    protected override void CheckTarget(T value, int row)
    {
        if (value < T.Zero || value > T.One)
        {
            throw TargetError(value, row, "outside [0, 1]");
        }
    }

    /// <inheritdoc />
    protected override Var<T> PointLoss(Var<T> prediction, Tensor<T> target)
    {
        var softplus = prediction.Softplus(beta: 1, threshold: double.PositiveInfinity);
        if (PositiveWeight is null)
        {
            return softplus - (prediction * target);
        }

        if (PositiveWeight.Length != prediction.Shape[-1])
        {
            throw new ArgumentException($"bce_with_logits: pos_weight has {PositiveWeight.Length} entries but the logits {prediction.Shape} have {prediction.Shape[-1]} attributes on the last axis.", "prediction");
        }

        // a = 1 + (p − 1)·t multiplies softplus(x); b = p·t multiplies x.
        var pt = Tensor.Multiply(target, PositiveWeight);
        var a = Tensor.Subtract(pt, target).AddInPlace(T.One);
        return (softplus * a) - (prediction * pt);
    }
}
