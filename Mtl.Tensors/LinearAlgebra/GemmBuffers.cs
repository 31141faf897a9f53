using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mtl.Tensors;

/// <summary>
/// Per-thread packing buffers, reused across calls so a steady-state training loop allocates nothing:
/// a buffer only grows, and only the first time a thread sees a larger block. They live on the pinned
/// object heap so the kernels can hold raw pointers into them without a fixed statement.
/// </summary>
internal static unsafe class GemmBuffers<T>
    where T : unmanaged
{
    /// <summary>Bytes of alignment: one cache line, which is also one Vector512.</summary>
    private const int Alignment = 64;

    [ThreadStatic]
    private static T[]? _a;

    [ThreadStatic]
    private static T[]? _b;

    /// <summary>This thread's buffer for packed op(A), at least <paramref name="length"/> elements, 64-byte aligned.</summary>
    public static T* A(int length) => Get(ref _a, length);

    /// <summary>This thread's buffer for packed op(B), at least <paramref name="length"/> elements, 64-byte aligned.</summary>
    public static T* B(int length) => Get(ref _b, length);

    private static T* Get(ref T[]? buffer, int length)
    {
        int padded = length + (Alignment / sizeof(T));
        if (buffer is null || buffer.Length < padded)
        {
            buffer = GC.AllocateUninitializedArray<T>(padded, pinned: true);
        }

        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((start + Alignment - 1) & ~(nint)(Alignment - 1));
    }
}
