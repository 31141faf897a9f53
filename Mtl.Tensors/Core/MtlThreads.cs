namespace Mtl.Tensors;

/// <summary>
/// The number of threads Mtl's kernels may use. Results never depend on it: every kernel splits work so
/// that each output element is computed by one thread in a fixed order, so 1 and N threads give
/// bitwise-identical outputs.
/// </summary>
public static class MtlThreads
{
    private static int _count = Environment.ProcessorCount;

    /// <summary>Threads the kernels may use (default: all cores). Set to 1 for single-threaded runs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1.</exception>
    public static int Count
    {
        get => _count;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Count));
            _count = value;
        }
    }
}
