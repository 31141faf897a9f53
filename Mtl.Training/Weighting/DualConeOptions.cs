namespace Mtl.Training.Weighting;

/// <summary>Hyper-parameters of the dual-cone projection that <see cref="UPGradCombiner"/> and <see cref="DualProjCombiner"/> solve.</summary>
/// <param name="MaxSweeps">Coordinate-descent sweeps at most (each followed by an attempt at the exact solve on the free set).</param>
/// <param name="Tolerance">Stopping threshold on the largest change of a weight in a sweep, relative to the weights' scale.</param>
public sealed record DualConeOptions(int MaxSweeps = 10_000, double Tolerance = 1e-15)
{
    /// <summary>Throws on a non-positive sweep count or a negative or non-finite tolerance.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxSweeps);
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "dual-cone projection: the tolerance must be a finite number ≥ 0.");
        }
    }
}
