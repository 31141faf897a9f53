using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// The two bias passes of a dense layer over a [rows, columns] activation: y[r, ·] += b forward and
/// db = Σ_r dy[r, ·] backward. Both stream the whole activation, so large ones are split across
/// threads: by rows for the add, by columns for the sums, so that each column is still summed over
/// the rows in order and the result does not depend on the thread count.
/// </summary>
internal static class BiasKernels<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>y[r, ·] += bias for every row r.</summary>
    public static void AddToRows(Tensor<T> y, int rows, int columns, Tensor<T> bias) =>
        MtlParallel.For(rows, new AddRows(y, columns, bias), cost: (long)rows * columns, align: 1);

    /// <summary>sums (=|+=) Σ_r g[r, ·]: overwritten when <paramref name="overwrite"/>, else added to.</summary>
    public static void ColumnSums(Tensor<T> g, int rows, int columns, Tensor<T> sums, bool overwrite) =>
        MtlParallel.For(columns, new Sums(g, rows, columns, sums, overwrite), cost: (long)rows * columns, align: 16);

    private readonly struct AddRows(Tensor<T> y, int columns, Tensor<T> bias) : IRangeWork
    {
        public void Run(int start, int end)
        {
            var ys = y.Span;
            var b = bias.ReadOnlySpan;
            for (int r = start; r < end; r++)
            {
                var row = ys.Slice(r * columns, columns);
                TensorPrimitives.Add(row, b, row);
            }
        }
    }

    /// <summary>Columns [start, end) of the sums, one row of g at a time (row segments are contiguous).</summary>
    private readonly struct Sums(Tensor<T> g, int rows, int columns, Tensor<T> sums, bool overwrite) : IRangeWork
    {
        public void Run(int start, int end)
        {
            var gs = g.ReadOnlySpan;
            var s = sums.Span[start..end];
            int width = end - start, r = 0;
            if (overwrite && rows == 0)
            {
                s.Clear();
            }
            else if (overwrite)
            {
                gs.Slice(start, width).CopyTo(s);
                r = 1;
            }

            for (; r < rows; r++)
            {
                TensorPrimitives.Add(s, gs.Slice((r * columns) + start, width), s);
            }
        }
    }
}
