using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>
/// Huber loss, torch.nn.HuberLoss: with d = p − t, l = ½d² where |d| &lt; δ, else δ(|d| − ½δ);
/// dl/dp = d inside, δ·sign(d) outside.
/// </summary>
/// <remarks>Composed as l = ½q² + δ(|d| − q) with q = clamp(|d|, 0, δ): inside q = |d| and the second
/// term vanishes; outside q = δ and l = ½δ² + δ|d| − δ² = δ(|d| − ½δ). The gradient is 0 at d = 0 (abs's)
/// and δ·sign(d) at |d| = δ, where both branches agree.</remarks>
public sealed class HuberLoss<T> : ElementwiseLoss<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the loss.</summary>
    /// <param name="delta">The threshold δ &gt; 0 between the quadratic and the linear part (PyTorch's default 1).</param>
    /// <param name="reduction">Mean (default) or sum.</param>
    public HuberLoss(double delta = 1.0, LossReduction reduction = LossReduction.Mean)
        : base("huber", TaskKind.Regression, reduction)
    {
        if (!(delta > 0) || !double.IsFinite(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "huber: delta must be a finite number > 0.");
        }

        Delta = delta;
    }

    /// <summary>The threshold δ.</summary>
    public double Delta { get; }

    /// <inheritdoc />
    protected override Var<T> PointLoss(Var<T> prediction, Tensor<T> target)
    {
        T delta = T.CreateTruncating(Delta);
        var a = (prediction - target).Abs();
        var q = a.Clamp(0, Delta);
        return (q.Square() * T.CreateTruncating(0.5)) + ((a - q) * delta);
    }
}
