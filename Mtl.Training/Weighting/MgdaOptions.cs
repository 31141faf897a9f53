namespace Mtl.Training.Weighting;

/// <summary>How <see cref="MgdaCombiner"/> normalises the task gradients before solving for the weights.</summary>
public enum MgdaNormalization
{
    /// <summary>The gradients as they are.</summary>
    None,

    /// <summary>gᵢ/‖gᵢ‖ (Sener &amp; Koltun's "l2"), so that no task wins by gradient scale alone.</summary>
    L2,
}

/// <summary>Hyper-parameters of <see cref="MgdaCombiner"/>.</summary>
/// <param name="Normalization">Normalisation of the gradients the weights are solved on (the combination uses the raw gᵢ).</param>
/// <param name="ScaleByTaskCount">Multiply the result by K, so that for identical task gradients it equals the summed-loss gradient Σgᵢ rather than their mean.</param>
/// <param name="MaxIterations">Frank-Wolfe steps at most.</param>
/// <param name="Tolerance">Frank-Wolfe stopping threshold on ‖Δα‖₁.</param>
public sealed record MgdaOptions(MgdaNormalization Normalization = MgdaNormalization.None, bool ScaleByTaskCount = false, int MaxIterations = 1000, double Tolerance = 1e-12)
{
    /// <summary>Throws on a non-positive iteration count or a negative or non-finite tolerance.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxIterations);
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "MGDA: the tolerance must be a finite number ≥ 0.");
        }
    }
}
