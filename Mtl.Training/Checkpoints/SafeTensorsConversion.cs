using System.Numerics;
using System.Runtime.InteropServices;

namespace Mtl.Training.Checkpoints;

/// <summary>
/// Reads an F32 or F64 entry into float or double storage, converting between the two when the caller
/// allowed it: F32 → F64 is exact; F64 → F32 rounds to nearest, and a finite value outside float32's range
/// (|x| &gt; 3.4028235e38) is an error rather than a silent infinity. Any other dtype is not loadable.
/// </summary>
internal static class SafeTensorsConversion
{
    /// <summary>Whether Mtl can read <paramref name="dtype"/> into a tensor (F32 or F64).</summary>
    public static bool IsFloat(string dtype) => dtype is "F32" or "F64";

    /// <summary>The mismatch between an entry's dtype and T, or null when <paramref name="entry"/> can be read
    /// into T (the same dtype, or F32/F64 with <paramref name="allowConversion"/>).</summary>
    public static string? Mismatch<T>(SafeTensorsEntry entry, bool allowConversion, string owner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string dtype = SafeTensorsDType.Of<T>();
        if (entry.DType == dtype)
        {
            return null;
        }

        if (!IsFloat(entry.DType))
        {
            return $"dtype {entry.DType} in file, {dtype} in {owner}; Mtl reads only F32 and F64 tensors.";
        }

        return allowConversion ? null : $"dtype {entry.DType} in file, {dtype} in {owner} (pass allowDTypeConversion: true to convert on load).";
    }

    /// <summary>Reads <paramref name="entry"/> into <paramref name="destination"/> (its exact element count),
    /// converting from the file's dtype when it is not T's. Call <see cref="Mismatch{T}"/> first.</summary>
    /// <exception cref="CheckpointException">An F64 value does not fit in float32.</exception>
    public static void Read<T>(SafeTensorsFile file, SafeTensorsEntry entry, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (entry.DType == SafeTensorsDType.Of<T>())
        {
            file.Read(entry, destination);
        }
        else if (entry.DType == "F32")
        {
            var staged = new float[destination.Length];
            file.Read<float>(entry, staged);
            var wide = MemoryMarshal.Cast<T, double>(destination);
            for (int i = 0; i < staged.Length; i++)
            {
                wide[i] = staged[i];
            }
        }
        else
        {
            var staged = new double[destination.Length];
            file.Read<double>(entry, staged);
            var narrow = MemoryMarshal.Cast<T, float>(destination);
            for (int i = 0; i < staged.Length; i++)
            {
                float v = (float)staged[i];
                if (float.IsInfinity(v) && double.IsFinite(staged[i]))
                {
                    throw new CheckpointException(file.Path, entry.Name, $"element {i} is {staged[i]:R} in the F64 file, outside float32's range (±{float.MaxValue:R}); it cannot be converted to F32.");
                }

                narrow[i] = v;
            }
        }
    }
}
