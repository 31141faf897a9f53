using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Losses;

/// <summary>Mean squared error, torch.nn.MSELoss: l = (p − t)²; dl/dp = 2(p − t).</summary>
public sealed class MseLoss<T>(LossReduction reduction = LossReduction.Mean) : ElementwiseLoss<T>("mse", TaskKind.Regression, reduction)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    protected override Var<T> PointLoss(Var<T> prediction, Tensor<T> target) => (prediction - target).Square();
}
