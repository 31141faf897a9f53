using System.Numerics;
using Mtl.Autograd;

namespace Mtl.Training.Optim;

/// <summary>Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so that their global norm is at most <paramref name="maxNorm"/>:
    /// total = ‖(‖g₁‖₂, …, ‖gₖ‖₂)‖₂ over the parameters that have a gradient;
    /// c = maxNorm / (total + 10⁻⁶) computed in T; every gᵢ ← c·gᵢ unless c ≥ 1.
    /// </summary>
    /// <returns>The global norm before clipping.</returns>
    /// <exception cref="ArgumentOutOfRangeException">maxNorm is negative or not finite.</exception>
    /// <exception cref="InvalidOperationException">The norm is NaN or infinite and
    /// <paramref name="errorIfNonfinite"/> is set (otherwise the gradients become non-finite, as PyTorch's do).</exception>
    public static T ClipGradNorm<T>(IEnumerable<Var<T>> parameters, double maxNorm, bool errorIfNonfinite = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        OptionCheck.NonNegative(maxNorm, "max_norm");
        T sumOfSquares = T.Zero;
        foreach (var p in parameters)
        {
            if (p.Grad is { } g)
            {
                T norm = TensorPrimitives.Norm<T>(g.ReadOnlySpan);
                sumOfSquares += norm * norm;
            }
        }

        T total = T.Sqrt(sumOfSquares);
        if (errorIfNonfinite && !T.IsFinite(total))
        {
            throw new InvalidOperationException($"ClipGradNorm: the total norm of the gradients is {total}; the gradients cannot be clipped. Set errorIfNonfinite false to scale them anyway.");
        }

        T coefficient = T.CreateTruncating(maxNorm) / (total + T.CreateTruncating(1e-6));
        // A NaN coefficient scales too, so that non-finite gradients stay visible as in PyTorch.
        if (!(coefficient >= T.One))
        {
            foreach (var p in parameters)
            {
                if (p.Grad is { } g)
                {
                    TensorPrimitives.Multiply(g.ReadOnlySpan, coefficient, g.Span);
                }
            }
        }

        return total;
    }

    /// <summary>Clips the gradients of every parameter of <paramref name="optimizer"/>; see
    /// <see cref="ClipGradNorm{T}(IEnumerable{Var{T}}, double, bool)"/>.</summary>
    public static T ClipGradNorm<T>(Optimizer<T> optimizer, double maxNorm, bool errorIfNonfinite = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return ClipGradNorm(optimizer.NamedParameters.Select(p => p.Value), maxNorm, errorIfNonfinite);
    }
}
