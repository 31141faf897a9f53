using System.Numerics;

namespace Mtl.Tensors;

/// <summary>
/// A seeded pseudo-random generator that gives the same sequence on every machine and runtime:
/// xoshiro256** (Blackman &amp; Vigna 2018) seeded through SplitMix64. Normal variates use the
/// Marsaglia polar method with a logarithm computed here from +, -, *, / only (all correctly rounded
/// in IEEE 754), so no platform math library can change a single bit.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spareNormal;
    private bool _hasSpare;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public SeededRandom(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>Creates a generator from a 32-bit seed.</summary>
    public SeededRandom(int seed)
        : this(unchecked((ulong)(long)seed))
    {
    }

    /// <summary>The generator's state, to continue its sequence later with <see cref="SetState"/>.</summary>
    public SeededRandomState GetState() => new(_s0, _s1, _s2, _s3, _spareNormal, _hasSpare);

    /// <summary>Continues the sequence from a state taken with <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">All four words are zero (xoshiro's one invalid state, which
    /// would draw zeros for ever), or the cached normal is not finite.</exception>
    public void SetState(SeededRandomState state)
    {
        if ((state.S0 | state.S1 | state.S2 | state.S3) == 0)
        {
            throw new ArgumentException("SeededRandom: the all-zero state is not a state of the generator.", nameof(state));
        }

        if (state.HasSpareNormal && !double.IsFinite(state.SpareNormal))
        {
            throw new ArgumentException($"SeededRandom: the cached normal variate {state.SpareNormal} is not finite.", nameof(state));
        }

        (_s0, _s1, _s2, _s3) = (state.S0, state.S1, state.S2, state.S3);
        _spareNormal = state.HasSpareNormal ? state.SpareNormal : 0;
        _hasSpare = state.HasSpareNormal;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>), without modulo bias (Lemire 2019).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exclusiveMax"/> is not positive.</exception>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        ulong range = (ulong)exclusiveMax;
        while (true)
        {
            ulong x = NextUInt64() >> 32;
            ulong m = x * range;
            ulong low = m & 0xFFFFFFFFUL;
            if (low >= range || low >= ((0x1_0000_0000UL - range) % range))
            {
                return (int)(m >> 32);
            }
        }
    }

    /// <summary>A standard normal variate (mean 0, variance 1).</summary>
    public double NextNormal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareNormal;
        }

        // Marsaglia polar method: (u, v) uniform in the unit disc, s = u² + v²;
        // u·sqrt(-2 ln s / s) and v·sqrt(-2 ln s / s) are independent standard normals.
        double u, v, s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);

        double factor = Math.Sqrt(-2.0 * PortableLog(s) / s);
        _spareNormal = v * factor;
        _hasSpare = true;
        return u * factor;
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle<TItem>(Span<TItem> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = i;
        }

        Shuffle<int>(p);
        return p;
    }

    /// <summary>
    /// ln(x) for x in (0, 1], from arithmetic alone, within an ulp of Math.Log: x = m·2^e with m in [√½, √2),
    /// f = m − 1 (exact), s = f/(2 + f), and ln m = 2·atanh(s) = f − (f²/2 − s·(f²/2 + R)) with
    /// R = Σ 2s^(2k)/(2k+1), k ≥ 1, |s| &lt; 0.172. Computing 2·atanh(s) directly from a rounded s carried
    /// that rounding into the result (1.35 ulps at x = 0.33); in this form s only touches a correction term
    /// (the arrangement of fdlibm's e_log.c).
    /// </summary>
    internal static double PortableLog(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (exponent == -1023)
        {
            // Subnormal: renormalise (never reached for s = u² + v² with 53-bit uniforms, kept for totality).
            return PortableLog(x * 18014398509481984.0) - (54 * 0.69314718055994530942);
        }

        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            exponent++;
        }

        double f = m - 1.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double term = z, r = 0;
        for (int k = 3; k < 40; k += 2)
        {
            r += 2.0 * term / k;
            term *= z;
        }

        double hfsq = 0.5 * f * f;

        // ln 2 split in a high part exact in 32 bits and a low correction, so e·ln2 keeps full precision.
        const double ln2Hi = 6.93147180369123816490e-01;
        const double ln2Lo = 1.90821492927058770002e-10;
        return (exponent * ln2Hi) - ((hfsq - ((s * (hfsq + r)) + (exponent * ln2Lo))) - f);
    }
}
