using System.Numerics;

namespace Mtl.Tensors.Kernels;

/// <summary>
/// NumPy broadcasting over contiguous row-major operands. The output is walked as an outer odometer over
/// leading axes and an inner run over the longest trailing block in which each operand is either fully
/// present or fully broadcast; each run is then one vector-vector, vector-scalar or scalar-vector call of
/// <see cref="ElementwiseDriver"/>, so a row vector over a matrix or a column vector across it runs at full
/// SIMD speed at every width.
/// </summary>
internal static class BroadcastDriver
{
    public static void Run<T, TOp>(
        ReadOnlySpan<T> x, Shape xShape, ReadOnlySpan<T> y, Shape yShape, Span<T> destination, Shape outShape, TOp op)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IBinaryOperator<T>
    {
        int total = outShape.Length;
        if (total == 0)
        {
            return;
        }

        if (xShape == yShape)
        {
            ElementwiseDriver.Binary(x, y, destination[..total], op);
            return;
        }

        if (yShape.Length == 1)
        {
            ElementwiseDriver.Binary(x, y[0], destination[..total], op);
            return;
        }

        if (xShape.Length == 1)
        {
            ElementwiseDriver.Binary(x[0], y, destination[..total], op);
            return;
        }

        int rank = outShape.Rank;
        Span<int> dims = stackalloc int[Shape.MaxRank];
        Span<int> xStride = stackalloc int[Shape.MaxRank];
        Span<int> yStride = stackalloc int[Shape.MaxRank];
        dims = outShape.CopyTo(dims);
        Strides(xShape, outShape, xStride);
        Strides(yShape, outShape, yStride);

        // The trailing block: axes from the end while each operand keeps one mode (present or broadcast).
        // An output axis of size 1 fits either mode.
        int xMode = 0, yMode = 0; // 0 undecided, 1 present, 2 broadcast
        int inner = 1, split = rank;
        while (split > 0)
        {
            int a = split - 1;
            if (dims[a] != 1)
            {
                int xm = xStride[a] == 0 ? 2 : 1, ym = yStride[a] == 0 ? 2 : 1;
                if ((xMode != 0 && xm != xMode) || (yMode != 0 && ym != yMode))
                {
                    break;
                }

                xMode = xm;
                yMode = ym;
            }

            inner *= dims[a];
            split--;
        }

        Span<int> counter = stackalloc int[Shape.MaxRank];
        counter.Clear();
        int xOff = 0, yOff = 0;
        for (int outOff = 0; outOff < total; outOff += inner)
        {
            var d = destination.Slice(outOff, inner);
            if (xMode == 2 && yMode == 2)
            {
                d.Fill(op.Invoke(x[xOff], y[yOff]));
            }
            else if (yMode == 2)
            {
                ElementwiseDriver.Binary(x.Slice(xOff, inner), y[yOff], d, op);
            }
            else if (xMode == 2)
            {
                ElementwiseDriver.Binary(x[xOff], y.Slice(yOff, inner), d, op);
            }
            else
            {
                ElementwiseDriver.Binary(x.Slice(xOff, inner), y.Slice(yOff, inner), d, op);
            }

            // Advance the odometer over the outer axes [0, split).
            for (int a = split - 1; a >= 0; a--)
            {
                counter[a]++;
                xOff += xStride[a];
                yOff += yStride[a];
                if (counter[a] < dims[a])
                {
                    break;
                }

                xOff -= xStride[a] * dims[a];
                yOff -= yStride[a] * dims[a];
                counter[a] = 0;
            }
        }
    }

    /// <summary>Element strides of <paramref name="shape"/> aligned to <paramref name="outShape"/>; 0 on broadcast axes.</summary>
    public static void Strides(Shape shape, Shape outShape, Span<int> strides)
    {
        int rank = outShape.Rank, offset = rank - shape.Rank, stride = 1;
        for (int a = rank - 1; a >= 0; a--)
        {
            int sa = a - offset;
            int dim = sa >= 0 ? shape[sa] : 1;
            strides[a] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
    }
}
