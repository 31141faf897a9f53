namespace Mtl.Training.Optim;

/// <summary>Argument checks shared by the hyper-parameter records, with PyTorch's wording.</summary>
internal static class OptionCheck
{
    /// <summary>Returns <paramref name="value"/> if it is finite and ≥ 0.</summary>
    public static double NonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {value} (must be finite and >= 0).");
        }

        return value;
    }

    /// <summary>Returns <paramref name="value"/> if it lies in [0, 1).</summary>
    public static double UnitInterval(double value, string name)
    {
        if (!(value >= 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {value} (must be in [0, 1)).");
        }

        return value;
    }

    /// <summary>Returns <paramref name="value"/> if it is finite.</summary>
    public static double Finite(double value, string name)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"Invalid {name}: {value} (must be finite).");
        }

        return value;
    }
}
