using System.Globalization;
using System.Numerics;
using System.Text;

namespace Mtl.Tensors;

/// <summary>
/// The values part of <see cref="Tensor{T}.ToString"/>, in PyTorch's manner: nested brackets, one row per
/// line for rank ≥ 2, right-aligned columns, and, above <see cref="Threshold"/> elements, only the first and last
/// <see cref="EdgeItems"/> entries of each axis with "..." between (so a summary formats at most
/// (2·EdgeItems)^rank values, whatever the size).
/// </summary>
internal static class TensorFormat
{
    /// <summary>Tensors with more elements than this are summarised (PyTorch's default threshold).</summary>
    public const int Threshold = 1000;

    /// <summary>Entries shown at each end of a summarised axis (PyTorch's default edgeitems).</summary>
    public const int EdgeItems = 3;

    /// <summary>The values of a contiguous row-major tensor of shape <paramref name="dims"/>.</summary>
    public static string Values<T>(ReadOnlySpan<T> values, int[] dims)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (dims.Length == 0)
        {
            return Number(values[0]);
        }

        bool summarise = values.Length > Threshold;
        int[] strides = new int[dims.Length];
        int stride = 1;
        for (int a = dims.Length - 1; a >= 0; a--)
        {
            strides[a] = stride;
            stride *= dims[a];
        }

        // First pass: the widest shown number, so that columns line up.
        int width = 0;
        var shown = new List<string>();
        Collect(values, dims, strides, 0, 0, summarise, shown);
        foreach (string s in shown)
        {
            width = Math.Max(width, s.Length);
        }

        var sb = new StringBuilder();
        int next = 0;
        Write(sb, shown, ref next, dims, 0, summarise, width);
        return sb.ToString();
    }

    /// <summary>The indices of axis entries shown: all, or the first and last EdgeItems (−1 marks the gap).</summary>
    private static IEnumerable<int> Shown(int size, bool summarise)
    {
        if (!summarise || size <= 2 * EdgeItems)
        {
            for (int i = 0; i < size; i++)
            {
                yield return i;
            }

            yield break;
        }

        for (int i = 0; i < EdgeItems; i++)
        {
            yield return i;
        }

        yield return -1;
        for (int i = size - EdgeItems; i < size; i++)
        {
            yield return i;
        }
    }

    private static void Collect<T>(ReadOnlySpan<T> values, int[] dims, int[] strides, int axis, int offset, bool summarise, List<string> shown)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (int i in Shown(dims[axis], summarise))
        {
            if (i < 0)
            {
                continue;
            }

            if (axis == dims.Length - 1)
            {
                shown.Add(Number(values[offset + i]));
            }
            else
            {
                Collect(values, dims, strides, axis + 1, offset + (i * strides[axis]), summarise, shown);
            }
        }
    }

    private static void Write(StringBuilder sb, List<string> shown, ref int next, int[] dims, int axis, bool summarise, int width)
    {
        sb.Append('[');
        bool first = true;
        foreach (int i in Shown(dims[axis], summarise))
        {
            if (!first)
            {
                sb.Append(',');
                if (axis == dims.Length - 1)
                {
                    sb.Append(' ');
                }
                else
                {
                    // Blank lines between blocks of rank ≥ 3, as PyTorch does; then indent to the bracket depth.
                    sb.Append('\n', dims.Length - 1 - axis).Append(' ', axis + 1);
                }
            }

            first = false;
            if (i < 0)
            {
                sb.Append("...");
            }
            else if (axis == dims.Length - 1)
            {
                sb.Append(shown[next++].PadLeft(dims.Length == 1 ? 0 : width));
            }
            else
            {
                Write(sb, shown, ref next, dims, axis + 1, summarise, width);
            }
        }

        sb.Append(']');
    }

    private static string Number<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        value.ToString("G6", CultureInfo.InvariantCulture);
}
