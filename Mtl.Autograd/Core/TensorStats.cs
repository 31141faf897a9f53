using System.Globalization;
using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>Summary statistics of a tensor for dumps and anomaly reports: L2 norm, min, max and the
/// count of NaN and infinite elements (min, max and norm skip them).</summary>
public readonly record struct TensorStats(double Norm, double Min, double Max, int NaNCount, int InfinityCount, int Count)
{
    /// <summary>Statistics of <paramref name="tensor"/>.</summary>
    public static TensorStats Of<T>(Tensor<T> tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        double ss = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        int nan = 0, inf = 0;
        foreach (T v in tensor.ReadOnlySpan)
        {
            double d = double.CreateTruncating(v);
            if (double.IsNaN(d))
            {
                nan++;
            }
            else if (double.IsInfinity(d))
            {
                inf++;
            }
            else
            {
                ss += d * d;
                min = Math.Min(min, d);
                max = Math.Max(max, d);
            }
        }

        return new TensorStats(Math.Sqrt(ss), min, max, nan, inf, tensor.Length);
    }

    /// <summary>True when no element is NaN or infinite.</summary>
    public bool AllFinite => NaNCount == 0 && InfinityCount == 0;

    /// <summary>Formats as <c>norm=1.23 min=-0.5 max=0.9</c>, with NaN/inf counts when present.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        string s = Count == NaNCount + InfinityCount
            ? "norm=- min=- max=-"
            : string.Create(ci, $"norm={Norm:G4} min={Min:G4} max={Max:G4}");
        if (NaNCount > 0 || InfinityCount > 0)
        {
            s += string.Create(ci, $" nan={NaNCount} inf={InfinityCount}");
        }

        return s;
    }
}
