namespace Mtl.Training.Weighting;

/// <summary>How <see cref="CAGradCombiner"/> rescales its update (the reference implementation's <c>rescale</c> flag).</summary>
public enum CAGradRescale
{
    /// <summary>d as solved (rescale = 0).</summary>
    None,

    /// <summary>d / (1 + c²), the reference implementation's default (rescale = 1).</summary>
    OnePlusCSquared,

    /// <summary>d / (1 + c) (rescale = 2).</summary>
    OnePlusC,
}

/// <summary>Hyper-parameters of <see cref="CAGradCombiner"/>.</summary>
/// <param name="C">c ≥ 0, the radius of the ball around the mean gradient, relative to its norm; 0 gives the mean gradient. The paper uses 0.4–0.5.</param>
/// <param name="Rescale">The final rescaling of d.</param>
/// <param name="MaxIterations">Projected-gradient steps of the inner problem at most.</param>
/// <param name="Tolerance">Stopping threshold on ‖Δw‖₁ of the inner problem.</param>
public sealed record CAGradOptions(double C = 0.5, CAGradRescale Rescale = CAGradRescale.OnePlusCSquared, int MaxIterations = 2000, double Tolerance = 1e-13)
{
    /// <summary>Throws on a negative or non-finite c, a non-positive iteration count or a negative tolerance.</summary>
    public void Validate()
    {
        if (!double.IsFinite(C) || C < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(C), C, "CAGrad: c must be a finite number ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxIterations);
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "CAGrad: the tolerance must be a finite number ≥ 0.");
        }
    }
}
