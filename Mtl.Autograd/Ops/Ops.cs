namespace Mtl.Autograd;

/// <summary>
/// Differentiable functions of several values or of extra, non-differentiable arguments (PyTorch's
/// torch.* and torch.nn.functional.*). Single-value ops are also instance methods of <see cref="Var{T}"/>.
/// </summary>
public static partial class Ops
{
}
