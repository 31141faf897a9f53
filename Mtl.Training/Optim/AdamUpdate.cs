using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>
/// The update shared by <see cref="Adam{T}"/> and <see cref="AdamW{T}"/>, as torch.optim.Adam's
/// single-tensor path, at step t (1-based):
/// <code>
/// p ← p·(1 − lr·λ)                      (AdamW: decoupled weight decay)
/// g ← g + λ·p                           (Adam: L2 weight decay)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v̂ ← max(v̂, v)  (AMSGrad; v̂ replaces v below)
/// denom = √v / √(1 − β₂ᵗ) + ε
/// p ← p − (lr / (1 − β₁ᵗ)) · m / denom
/// </code>
/// </summary>
internal static class AdamUpdate
{
    public static void Apply<T>(Tensor<T> parameter, Tensor<T> gradient, AdamState<T> state, AdamOptions options, double lr, bool decoupled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long step = state.Step + 1;
        Span<T> p = parameter.Span;
        ReadOnlySpan<T> g = gradient.ReadOnlySpan;
        Span<T> scratch = state.Scratch.Span;
        double wd = options.WeightDecay;
        if (wd != 0)
        {
            if (decoupled)
            {
                TensorPrimitives.Multiply(p, S<T>(1 - (lr * wd)), p);
            }
            else
            {
                var decayed = state.DecayedGradient!.Span;
                TensorPrimitives.MultiplyAdd(p, S<T>(wd), g, decayed);
                g = decayed;
            }
        }

        Span<T> m = state.ExpAvg.Span;
        TensorPrimitives.Multiply(m, S<T>(options.Beta1), m);
        TensorPrimitives.MultiplyAdd(g, S<T>(1 - options.Beta1), m, m);

        // PyTorch's addcmul_(g, g, value=1−β₂) evaluates ((1−β₂)·g)·g + v.
        Span<T> v = state.ExpAvgSq.Span;
        TensorPrimitives.Multiply(v, S<T>(options.Beta2), v);
        TensorPrimitives.Multiply(g, S<T>(1 - options.Beta2), scratch);
        TensorPrimitives.MultiplyAdd(scratch, g, v, v);

        ReadOnlySpan<T> second = v;
        if (state.MaxExpAvgSq is { } max)
        {
            TensorPrimitives.Max(max.Span, v, max.Span);
            second = max.Span;
        }

        double biasCorrection1 = 1 - Math.Pow(options.Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(options.Beta2, step);
        double stepSize = lr / biasCorrection1;
        TensorPrimitives.Sqrt(second, scratch);
        TensorPrimitives.Divide(scratch, S<T>(Math.Sqrt(biasCorrection2)), scratch);
        TensorPrimitives.Add(scratch, S<T>(options.Epsilon), scratch);
        TensorPrimitives.Divide(m, scratch, scratch);
        TensorPrimitives.MultiplyAdd(scratch, S<T>(-stepSize), p, p);
    }

    private static T S<T>(double value)
        where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(value);
}
