namespace Mtl.Training.Optim;

/// <summary>Hyper-parameters of <see cref="Adam{T}"/> and <see cref="AdamW{T}"/>, as torch.optim.Adam's
/// arguments (β₁ and β₂ are PyTorch's <c>betas</c>).</summary>
public sealed record AdamOptions : OptimizerOptions
{
    private readonly double _beta1 = 0.9;
    private readonly double _beta2 = 0.999;
    private readonly double _epsilon = 1e-8;
    private readonly double _weightDecay;

    /// <summary>Decay β₁ ∈ [0, 1) of the first moment m. Default 0.9.</summary>
    public double Beta1
    {
        get => _beta1;
        init => _beta1 = OptionCheck.UnitInterval(value, "beta parameter at index 0");
    }

    /// <summary>Decay β₂ ∈ [0, 1) of the second moment v. Default 0.999.</summary>
    public double Beta2
    {
        get => _beta2;
        init => _beta2 = OptionCheck.UnitInterval(value, "beta parameter at index 1");
    }

    /// <summary>ε ≥ 0 added to the denominator after the square root. Default 1e-8.</summary>
    public double Epsilon
    {
        get => _epsilon;
        init => _epsilon = OptionCheck.NonNegative(value, "epsilon value");
    }

    /// <summary>Weight decay λ ≥ 0: Adam adds λ·p to the gradient (L2); AdamW multiplies p by
    /// 1 − lr·λ before the step (decoupled). Default 0; <see cref="AdamW{T}"/>'s defaults use 0.01.</summary>
    public double WeightDecay
    {
        get => _weightDecay;
        init => _weightDecay = OptionCheck.NonNegative(value, "weight_decay value");
    }

    /// <summary>AMSGrad: the denominator uses the running maximum of v (Reddi et al., 2018).</summary>
    public bool Amsgrad { get; init; }
}
