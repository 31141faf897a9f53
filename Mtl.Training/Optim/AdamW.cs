using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019, Algorithm 2) exactly as torch.optim.AdamW: before the Adam step
/// the parameter decays as p ← p·(1 − lr·λ), and the gradient is left alone; the formulas are on
/// <see cref="AdamUpdate"/>. PyTorch's default λ here is 0.01 (<see cref="DefaultOptions"/>).
/// </summary>
public sealed class AdamW<T> : Optimizer<T, AdamOptions, AdamState<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>torch.optim.AdamW's defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0.01.</summary>
    public static AdamOptions DefaultOptions { get; } = new() { WeightDecay = 0.01 };

    /// <summary>One group holding <paramref name="parameters"/>; <see cref="DefaultOptions"/> when null.</summary>
    public AdamW(IEnumerable<KeyValuePair<string, Var<T>>> parameters, AdamOptions? options = null)
        : this([new ParameterGroup<T, AdamOptions>(parameters, options ?? DefaultOptions)])
    {
    }

    /// <summary>Several groups, each with its own hyper-parameters.</summary>
    public AdamW(IEnumerable<ParameterGroup<T, AdamOptions>> groups)
        : base(groups, "AdamW")
    {
    }

    /// <inheritdoc />
    protected override AdamState<T> CreateState(Shape shape, AdamOptions options) => new(shape, options, decoupled: true);

    /// <inheritdoc />
    protected override void Update(Tensor<T> parameter, Tensor<T> gradient, AdamState<T> state, AdamOptions options, double learningRate) =>
        AdamUpdate.Apply(parameter, gradient, state, options, learningRate, decoupled: true);
}
