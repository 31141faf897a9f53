using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>
/// Adam (Kingma and Ba, 2015, Algorithm 1) exactly as torch.optim.Adam, with weight decay as an L2
/// term added to the gradient (g ← g + λ·p) and optional AMSGrad; the formulas are on
/// <see cref="AdamUpdate"/>. For decoupled weight decay use <see cref="AdamW{T}"/>.
/// </summary>
public sealed class Adam<T> : Optimizer<T, AdamOptions, AdamState<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>One group holding <paramref name="parameters"/>; default options when null.</summary>
    public Adam(IEnumerable<KeyValuePair<string, Var<T>>> parameters, AdamOptions? options = null)
        : this([new ParameterGroup<T, AdamOptions>(parameters, options ?? new AdamOptions())])
    {
    }

    /// <summary>Several groups, each with its own hyper-parameters.</summary>
    public Adam(IEnumerable<ParameterGroup<T, AdamOptions>> groups)
        : base(groups, "Adam")
    {
    }

    /// <inheritdoc />
    protected override AdamState<T> CreateState(Shape shape, AdamOptions options) => new(shape, options, decoupled: false);

    /// <inheritdoc />
    protected override void Update(Tensor<T> parameter, Tensor<T> gradient, AdamState<T> state, AdamOptions options, double learningRate) =>
        AdamUpdate.Apply(parameter, gradient, state, options, learningRate, decoupled: false);
}
