using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Tests.Tensors;

/// <summary>Shared pieces of the tensor tests: seeded inputs, ulp distances and a naive broadcast walker.</summary>
internal static class TensorTestHelpers
{
    /// <summary>The spacing of T at |v| (the unit in the last place of v rounded to T).</summary>
    public static double Ulp<T>(double v)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double a = Math.Abs(v);
        if (typeof(T) == typeof(float))
        {
            float f = (float)a;
            return MathF.BitIncrement(f) - (double)f;
        }

        return Math.BitIncrement(a) - a;
    }

    /// <summary>|got − reference| in units of T's last place at the reference (0 when both are the same NaN class or infinity).</summary>
    public static double UlpError<T>(T got, double reference)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double g = double.CreateTruncating(got);
        if (double.IsNaN(reference) || double.IsNaN(g))
        {
            return double.IsNaN(reference) && double.IsNaN(g) ? 0 : double.PositiveInfinity;
        }

        // A reference beyond T's range rounds to an infinity, and that is the right answer.
        double rounded = double.CreateTruncating(T.CreateTruncating(reference));
        if (double.IsInfinity(rounded) || double.IsInfinity(g))
        {
            return g == rounded ? 0 : double.PositiveInfinity;
        }

        return Math.Abs(g - reference) / Ulp<T>(reference);
    }

    /// <summary>Bitwise equality of the rounded reference, with every NaN equal to every NaN (so -0 and +0 differ).</summary>
    public static bool SameBits<T>(T got, double reference)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T expected = T.CreateTruncating(reference);
        if (T.IsNaN(expected) || T.IsNaN(got))
        {
            return T.IsNaN(expected) && T.IsNaN(got);
        }

        return expected == got && T.IsNegative(expected) == T.IsNegative(got);
    }

    /// <summary>Bitwise equality of two tensors' shapes and elements (NaN equal to NaN, -0 distinct from +0).</summary>
    public static void AssertSameBits<T>(Tensor<T> actual, Tensor<T> expected, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), what);
        var a = actual.ReadOnlySpan;
        var e = expected.ReadOnlySpan;
        for (int i = 0; i < a.Length; i++)
        {
            if (!SameBits(a[i], double.CreateTruncating(e[i])))
            {
                Assert.Fail($"{what}: element {i} is {a[i]}, expected {e[i]} (shape {actual.Shape}).");
            }
        }
    }

    /// <summary>Values ±10^u with u uniform in [lo, hi]: a wide spread of magnitudes so relative accuracy is probed everywhere.</summary>
    public static double[] LogUniform(SeededRandom random, int n, double lo, double hi, bool signed)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            double m = Math.Pow(10, lo + ((hi - lo) * random.NextDouble()));
            v[i] = signed && random.NextDouble() < 0.5 ? -m : m;
        }

        return v;
    }

    /// <summary>Uniform values in [lo, hi).</summary>
    public static double[] Uniform(SeededRandom random, int n, double lo, double hi)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = lo + ((hi - lo) * random.NextDouble());
        }

        return v;
    }

    /// <summary>A tensor of the given shape holding <paramref name="values"/> rounded to T.</summary>
    public static Tensor<T> FromDoubles<T>(double[] values, Shape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var t = new Tensor<T>(shape);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = T.CreateTruncating(values[i]);
        }

        return t;
    }

    /// <summary>The tensor's elements widened to double.</summary>
    public static double[] ToDoubles<T>(Tensor<T> t)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var s = t.ReadOnlySpan;
        var v = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            v[i] = double.CreateTruncating(s[i]);
        }

        return v;
    }

    /// <summary>A random tensor of T with standard normal entries (already rounded to T).</summary>
    public static Tensor<T> Random<T>(SeededRandom random, Shape shape)
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.RandomNormal<T>(random, shape);

    /// <summary>A random shape of the given rank with dimensions in [minDim, maxDim].</summary>
    public static Shape RandomShape(SeededRandom random, int rank, int minDim, int maxDim)
    {
        var d = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            d[i] = minDim + random.NextInt(maxDim - minDim + 1);
        }

        return new Shape(d);
    }

    /// <summary>The row-major multi-index of flat index <paramref name="flat"/> in <paramref name="shape"/>.</summary>
    public static int[] Unravel(int flat, Shape shape)
    {
        var index = new int[shape.Rank];
        for (int a = shape.Rank - 1; a >= 0; a--)
        {
            index[a] = flat % shape[a];
            flat /= shape[a];
        }

        return index;
    }

    /// <summary>The flat index in <paramref name="operand"/> that NumPy broadcasting reads for output index
    /// <paramref name="outIndex"/>: axes aligned from the end, size-1 axes pinned to 0.</summary>
    public static int BroadcastSource(int[] outIndex, Shape operand)
    {
        int offset = outIndex.Length - operand.Rank, flat = 0;
        for (int a = 0; a < operand.Rank; a++)
        {
            int d = operand[a];
            flat = (flat * d) + (d == 1 ? 0 : outIndex[a + offset]);
        }

        return flat;
    }
}
