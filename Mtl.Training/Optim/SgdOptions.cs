namespace Mtl.Training.Optim;

/// <summary>Hyper-parameters of <see cref="Sgd{T}"/>, as torch.optim.SGD's arguments.</summary>
public sealed record SgdOptions : OptimizerOptions
{
    private readonly double _momentum;
    private readonly double _dampening;
    private readonly double _weightDecay;

    /// <summary>Momentum factor μ ≥ 0; 0 (default) is plain SGD.</summary>
    public double Momentum
    {
        get => _momentum;
        init => _momentum = OptionCheck.NonNegative(value, "momentum value");
    }

    /// <summary>Dampening d of the momentum: b ← μ·b + (1 − d)·g. Default 0.</summary>
    public double Dampening
    {
        get => _dampening;
        init => _dampening = OptionCheck.Finite(value, "dampening value");
    }

    /// <summary>L2 penalty λ ≥ 0 added to the gradient: g ← g + λ·p. Default 0.</summary>
    public double WeightDecay
    {
        get => _weightDecay;
        init => _weightDecay = OptionCheck.NonNegative(value, "weight_decay value");
    }

    /// <summary>Nesterov momentum: the step uses g + μ·b instead of b. Needs μ &gt; 0 and d = 0.</summary>
    public bool Nesterov { get; init; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Nesterov with zero momentum or non-zero dampening.</exception>
    public override void Validate()
    {
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
        {
            throw new ArgumentException($"SGD: Nesterov momentum requires a momentum > 0 and zero dampening (momentum {Momentum}, dampening {Dampening}).");
        }
    }
}
