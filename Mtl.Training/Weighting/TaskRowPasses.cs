using System.Numerics;
using System.Runtime.InteropServices;
using Mtl.Tensors;

namespace Mtl.Training.Weighting;

/// <summary>
/// The two passes a Gram-based method makes over the per-task rows, kept in the model's precision T (half the
/// memory of float64 rows for float): the Gram matrix Gᵢⱼ = gᵢ·gⱼ and the combination d = Σᵢ αᵢgᵢ, both
/// returned in float64. Each pass reads every row once, chunk by chunk (a chunk of all T rows stays in L1 while
/// every pair's partial dot product or every row's term is taken), and is split across threads.
/// </summary>
/// <remarks>
/// The Gram matrix is a sum of partial matrices over fixed blocks of the row (their number depends on the row's
/// length alone), added in block order: the same bits for any thread count. The combination treats elements
/// independently, so any split gives the same result. The instance keeps its scratch: a step allocates nothing.
/// </remarks>
internal sealed class TaskRowPasses<T> : IParallelWork
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per chunk: the chunks of all T rows (32 KiB of floats at T = 8) stay in L1/L2 together.</summary>
    private const int Chunk = 1024;

    /// <summary>Elements per block of the Gram pass; a block's partial matrix is one unit of work.</summary>
    private const int Block = 16 * Chunk;

    private T[][] _rows = [];
    private int _count, _length;
    private double[] _partials = [];
    private double[][] _scratch = []; // per part: one chunk widened to float64 (the combination of a float model)
    private double[] _weights = [];
    private double[] _destination = [];
    private bool _combining;
    private int _parts;

    /// <summary>Gᵢⱼ = gᵢ·gⱼ of the first <paramref name="count"/> rows (each of <paramref name="length"/> values), written into <paramref name="gram"/>.</summary>
    public void Gram(T[][] rows, int count, int length, double[,] gram)
    {
        int blocks = Math.Max(1, (length + Block - 1) / Block);
        int size = count * count;
        if (_partials.Length < blocks * size)
        {
            _partials = new double[blocks * size];
        }

        Run(rows, count, length, combining: false, Math.Min(blocks, MtlThreads.Count));
        for (int i = 0; i < count; i++)
        {
            for (int j = i; j < count; j++)
            {
                double sum = 0;
                for (int b = 0; b < blocks; b++)
                {
                    sum += _partials[(b * size) + (i * count) + j];
                }

                gram[i, j] = sum;
                gram[j, i] = sum;
            }
        }
    }

    /// <summary>d = Σᵢ αᵢgᵢ over the first <paramref name="count"/> rows, written over <paramref name="destination"/>.</summary>
    public void Combination(T[][] rows, int count, ReadOnlySpan<double> weights, double[] destination)
    {
        if (_weights.Length < count)
        {
            _weights = new double[count];
        }

        weights[..count].CopyTo(_weights);
        _destination = destination;
        int length = destination.Length;
        long cost = (long)count * length;
        int parts = cost >= MtlParallel.StreamingThreshold ? Math.Max(1, Math.Min(MtlThreads.Count, length / Chunk)) : 1;
        Run(rows, count, length, combining: true, parts);
        _destination = [];
    }

    /// <summary>Runs part <paramref name="part"/>: its share of the blocks (Gram) or of the chunks (combination).</summary>
    public void Run(int part)
    {
        var scratch = _scratch[part];
        if (_combining)
        {
            int chunks = (_length + Chunk - 1) / Chunk;
            int first = (int)((long)chunks * part / _parts), last = (int)((long)chunks * (part + 1) / _parts);
            for (int c = first; c < last; c++)
            {
                int start = c * Chunk, size = Math.Min(Chunk, _length - start);
                var d = _destination.AsSpan(start, size);
                d.Clear();
                var wide = scratch.AsSpan(0, size);
                for (int i = 0; i < _count; i++)
                {
                    TensorPrimitives.MultiplyAdd(Wide(_rows[i].AsSpan(start, size), wide), _weights[i], d, d);
                }
            }

            return;
        }

        int blocks = Math.Max(1, (_length + Block - 1) / Block);
        int matrix = _count * _count;
        for (int b = part; b < blocks; b += _parts)
        {
            var partial = _partials.AsSpan(b * matrix, matrix);
            partial.Clear();
            int end = Math.Min(_length, (b + 1) * Block);
            for (int start = b * Block; start < end; start += Chunk)
            {
                int size = Math.Min(Chunk, end - start);
                for (int i = 0; i < _count; i++)
                {
                    var gi = _rows[i].AsSpan(start, size);
                    for (int j = i; j < _count; j++)
                    {
                        partial[(i * _count) + j] += ChunkDot(gi, _rows[j].AsSpan(start, size));
                    }
                }
            }
        }
    }

    private void Run(T[][] rows, int count, int length, bool combining, int parts)
    {
        (_rows, _count, _length, _combining, _parts) = (rows, count, length, combining, parts);
        if (_scratch.Length < parts)
        {
            _scratch = new double[Math.Max(parts, MtlThreads.Count)][];
            for (int p = 0; p < _scratch.Length; p++)
            {
                _scratch[p] = new double[Chunk];
            }
        }

        try
        {
            MtlParallel.Run(this, parts);
        }
        finally
        {
            _rows = [];
        }
    }

    /// <summary>
    /// One chunk's dot product, returned in float64. A float chunk is reduced in float (SIMD lanes of 1024
    /// products: a relative error of order 1e-6, below the rows' own rounding) and the chunks are summed in float64,
    /// which is more precise than a float32 Gram matrix (LibMTL's); a double chunk is reduced in double.
    /// </summary>
    private static double ChunkDot(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
    {
        if (typeof(T) == typeof(float))
        {
            return TensorPrimitives.Dot(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b));
        }

        if (typeof(T) == typeof(double))
        {
            return TensorPrimitives.Dot(MemoryMarshal.Cast<T, double>(a), MemoryMarshal.Cast<T, double>(b));
        }

        return double.CreateTruncating(TensorPrimitives.Dot(a, b));
    }

    /// <summary>The chunk in float64: a double row as it is, any other widened into <paramref name="scratch"/>.</summary>
    private static ReadOnlySpan<double> Wide(ReadOnlySpan<T> chunk, Span<double> scratch)
    {
        if (typeof(T) == typeof(double))
        {
            return MemoryMarshal.Cast<T, double>(chunk);
        }

        TaskGradients<T>.ToDouble(chunk, scratch);
        return scratch;
    }
}
