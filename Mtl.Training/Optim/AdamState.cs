using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>Adam's per-parameter state: first moment m, second moment v, and with AMSGrad max v.</summary>
public sealed class AdamState<T> : ParameterState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly string[] _plain = ["exp_avg", "exp_avg_sq"];
    private static readonly string[] _amsgrad = ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"];

    internal AdamState(Shape shape, AdamOptions options, bool decoupled)
    {
        ExpAvg = new Tensor<T>(shape);
        ExpAvgSq = new Tensor<T>(shape);
        MaxExpAvgSq = options.Amsgrad ? new Tensor<T>(shape) : null;
        DecayedGradient = !decoupled && options.WeightDecay != 0 ? new Tensor<T>(shape) : null;
    }

    /// <summary>First moment m (PyTorch's <c>exp_avg</c>).</summary>
    public Tensor<T> ExpAvg { get; }

    /// <summary>Second moment v (PyTorch's <c>exp_avg_sq</c>).</summary>
    public Tensor<T> ExpAvgSq { get; }

    /// <summary>Running maximum of v with AMSGrad (PyTorch's <c>max_exp_avg_sq</c>), else null.</summary>
    public Tensor<T>? MaxExpAvgSq { get; }

    /// <summary>Holds g + λ·p for Adam's L2 weight decay; not part of the saved state.</summary>
    internal Tensor<T>? DecayedGradient { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> TensorNames => MaxExpAvgSq is null ? _plain : _amsgrad;

    /// <inheritdoc />
    public override Tensor<T> GetTensor(int index) => index switch
    {
        0 => ExpAvg,
        1 => ExpAvgSq,
        2 when MaxExpAvgSq is not null => MaxExpAvgSq,
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };
}
