using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mtl.Tensors;

/// <summary>
/// The threads of one packed GEMM split by rows, sharing the packed blocks of op(B): each packs a share
/// of a block's panels, all wait at a barrier, then each multiplies its own rows of C by the whole
/// block. Without sharing, every thread packed all of op(B) for itself, which on two threads repeated
/// the k·n copy that a row split exists to avoid.
/// </summary>
/// <remarks>
/// Two block buffers alternate: the block after next may be packed only once every thread is past the
/// barrier of the next, so a thread that is ahead never overwrites panels another is still reading.
/// Which thread packs a panel changes no bit of it, so results stay independent of the thread count.
/// </remarks>
internal sealed unsafe class GemmTeam<T>
    where T : unmanaged
{
    private const int Alignment = 64;

    private T[] _storage = [];
    private nint _blockElements;
    private int _parts;
    private int _arrived;
    private int _phase;
    private volatile bool _broken;

    /// <summary>Threads in the team.</summary>
    public int Parts => _parts;

    /// <summary>Prepares the team for <paramref name="parts"/> threads and blocks of <paramref name="blockElements"/>.</summary>
    public void Reset(int parts, int blockElements)
    {
        _parts = parts;
        _arrived = 0;
        _phase = 0;
        _broken = false;
        _blockElements = (blockElements + (Alignment / sizeof(T)) - 1) / (Alignment / sizeof(T)) * (Alignment / sizeof(T));
        int needed = (int)(2 * _blockElements) + (Alignment / sizeof(T));
        if (_storage.Length < needed)
        {
            _storage = GC.AllocateUninitializedArray<T>(needed, pinned: true);
        }
    }

    /// <summary>Buffer <paramref name="index"/> (0 or 1) for a packed block of op(B), 64-byte aligned.</summary>
    public T* Block(int index)
    {
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        T* aligned = (T*)((start + Alignment - 1) & ~(nint)(Alignment - 1));
        return aligned + (index * _blockElements);
    }

    /// <summary>
    /// Waits until every thread of the team has arrived. Spins first (the threads arrive within
    /// microseconds of each other), then yields, so a descheduled partner does not cost a core.
    /// </summary>
    /// <exception cref="OperationCanceledException">Another thread of the team failed.</exception>
    public void Arrive()
    {
        int phase = Volatile.Read(ref _phase);
        if (Interlocked.Increment(ref _arrived) == _parts)
        {
            _arrived = 0;
            Volatile.Write(ref _phase, phase + 1);
            return;
        }

        var spin = default(SpinWait);
        while (Volatile.Read(ref _phase) == phase)
        {
            if (_broken)
            {
                throw new OperationCanceledException("Gemm: another thread of the product failed.");
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Releases the other threads when one fails, so none waits for it forever.</summary>
    public void Break() => _broken = true;
}
