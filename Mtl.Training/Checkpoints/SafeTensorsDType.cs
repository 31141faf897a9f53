using System.Numerics;

namespace Mtl.Training.Checkpoints;

/// <summary>The safetensors dtype names and their element sizes.</summary>
internal static class SafeTensorsDType
{
    /// <summary>"F32" for float, "F64" for double.</summary>
    public static string Of<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => typeof(T) == typeof(float) ? "F32" : "F64";

    /// <summary>
    /// Bits per element of a dtype the reference implementation defines, or 0 for any other name. The
    /// 4- and 6-bit floats are packed, so a tensor of them is valid only when its bit count is a whole
    /// number of bytes. Mtl loads only F32 and F64; the others are known so that files holding them
    /// are checked like any other (and load with <c>allowUnexpected</c>).
    /// </summary>
    public static int Bits(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" or "C64" => 64,
        "F32" or "I32" or "U32" => 32,
        "F16" or "BF16" or "I16" or "U16" => 16,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" or "F8_E8M0" or "F8_E4M3FNUZ" or "F8_E5M2FNUZ" => 8,
        "F6_E2M3" or "F6_E3M2" => 6,
        "F4" => 4,
        _ => 0,
    };
}
