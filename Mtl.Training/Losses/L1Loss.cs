using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>Mean absolute error, torch.nn.L1Loss: l = |p − t|; dl/dp = sign(p − t), 0 at p = t as in PyTorch.</summary>
public sealed class L1Loss<T>(LossReduction reduction = LossReduction.Mean) : ElementwiseLoss<T>("l1", TaskKind.Regression, reduction)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    protected override Var<T> PointLoss(Var<T> prediction, Tensor<T> target) => (prediction - target).Abs();
}
