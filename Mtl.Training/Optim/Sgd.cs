using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, exactly as
/// torch.optim.SGD (single-tensor path):
/// <code>
/// g ← g + λ·p                       (weight decay λ)
/// b ← g on the first step, else b ← μ·b + (1 − d)·g    (momentum μ, dampening d)
/// g ← g + μ·b  (Nesterov)   or   g ← b  (classical momentum)
/// p ← p − lr·g
/// </code>
/// </summary>
public sealed class Sgd<T> : Optimizer<T, SgdOptions, SgdState<T>>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>One group holding <paramref name="parameters"/>.</summary>
    public Sgd(IEnumerable<KeyValuePair<string, Var<T>>> parameters, SgdOptions options)
        : this([new ParameterGroup<T, SgdOptions>(parameters, options)])
    {
    }

    /// <summary>Several groups, each with its own hyper-parameters.</summary>
    public Sgd(IEnumerable<ParameterGroup<T, SgdOptions>> groups)
        : base(groups, "SGD")
    {
    }

    /// <inheritdoc />
    protected override SgdState<T> CreateState(Shape shape, SgdOptions options) => new(shape, options);

    /// <inheritdoc />
    protected override void Update(Tensor<T> parameter, Tensor<T> gradient, SgdState<T> state, SgdOptions options, double learningRate)
    {
        Span<T> p = parameter.Span;
        ReadOnlySpan<T> g = gradient.ReadOnlySpan;
        if (options.WeightDecay != 0)
        {
            var decayed = state.Scratch!.Span;
            TensorPrimitives.MultiplyAdd(p, Scalar(options.WeightDecay), g, decayed);
            g = decayed;
        }

        if (state.MomentumBuffer is { } buffer)
        {
            var b = buffer.Span;
            if (state.Step == 0)
            {
                g.CopyTo(b);
            }
            else
            {
                TensorPrimitives.Multiply(b, Scalar(options.Momentum), b);
                TensorPrimitives.MultiplyAdd(g, Scalar(1 - options.Dampening), b, b);
            }

            if (options.Nesterov)
            {
                var direction = state.Scratch!.Span;
                TensorPrimitives.MultiplyAdd(b, Scalar(options.Momentum), g, direction);
                g = direction;
            }
            else
            {
                g = b;
            }
        }

        TensorPrimitives.MultiplyAdd(g, Scalar(-learningRate), p, p);
    }
}
