namespace Mtl.Training.Optim.Schedules;

/// <summary>
/// torch.optim.lr_scheduler.CosineAnnealingLR (SGDR without restarts, Loshchilov and Hutter, 2017, eq. 5):
/// lr = η_min + (lr₀ − η_min)·(1 + cos(π·epoch / T_max)) / 2. Past T_max the cosine keeps going (back
/// up towards lr₀), as PyTorch's does. PyTorch computes the same values recursively; the closed form
/// agrees to rounding (PyTorch documents the recursive form as equal to it).
/// </summary>
public sealed class CosineAnnealingLR : ILearningRateSchedule
{
    /// <summary>Anneals from the initial rate to <paramref name="etaMin"/> over <paramref name="tMax"/> epochs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">tMax ≤ 0, or etaMin negative or not finite.</exception>
    public CosineAnnealingLR(int tMax, double etaMin = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        TMax = tMax;
        EtaMin = OptionCheck.NonNegative(etaMin, "eta_min");
    }

    /// <summary>Half-period T_max in epochs.</summary>
    public int TMax { get; }

    /// <summary>The minimum rate η_min.</summary>
    public double EtaMin { get; }

    /// <inheritdoc />
    public double LearningRate(double initialLearningRate, long epoch) =>
        EtaMin + ((initialLearningRate - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2);
}
