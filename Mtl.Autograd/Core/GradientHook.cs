using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>A registered gradient hook; disposing it removes the hook.</summary>
internal sealed class GradientHook<T>(VarState<T> owner, Func<Tensor<T>, Tensor<T>?> hook) : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public Tensor<T>? Invoke(Tensor<T> gradient) => hook(gradient);

    public void Dispose() => owner.RemoveHook(this);
}
