using System.Numerics;

namespace Mtl.Training.Checkpoints;

/// <summary>The safetensors dtype names and their element sizes in bytes.</summary>
internal static class SafeTensorsDType
{
    /// <summary>"F32" for float, "F64" for double.</summary>
    public static string Of<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => typeof(T) == typeof(float) ? "F32" : "F64";

    /// <summary>Bytes per element of a dtype of the format, or 0 for a name the format does not define.</summary>
    public static int Size(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };
}
