#!/usr/bin/env python3
"""Independent reference for Mtl.Tensors.SeededRandom: SplitMix64 seeding + xoshiro256**.

Written from the published C sources (https://prng.di.unimi.it/splitmix64.c and
https://prng.di.unimi.it/xoshiro256starstar.c) with plain Python integers masked to 64 bits;
it shares no code with the C# implementation. Run: python3 xoshiro_reference.py
The output is pinned in Mtl.Tests/Tensors/SeededRandomTests.cs.
"""

import math

MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    def __init__(self, seed):
        x = seed & MASK  # an int seed is sign-extended to 64 bits, as (ulong)(long)seed in C#
        self.s = []
        for _ in range(4):
            x, v = splitmix64(x)
            self.s.append(v)

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


def normals(seed, count):
    """Marsaglia polar method as in SeededRandom.NextNormal, with the platform's math.log (the C# code
    uses its own PortableLog, so these agree to within a few ulps, not bit for bit)."""
    g = Xoshiro256StarStar(seed)
    uniform = lambda: (g.next() >> 11) * (1.0 / (1 << 53))
    out = []
    while len(out) < count:
        u = 2.0 * uniform() - 1.0
        v = 2.0 * uniform() - 1.0
        s = u * u + v * v
        if s >= 1.0 or s == 0.0:
            continue
        factor = math.sqrt(-2.0 * math.log(s) / s)
        out += [u * factor, v * factor]
    return out[:count]


def main():
    for seed in (42, 0, -1):
        g = Xoshiro256StarStar(seed)
        values = ", ".join("0x%016XUL" % g.next() for _ in range(5))
        print("seed %d: %s" % (seed, values))
    print("normals, seed 42: %s" % ", ".join(repr(x) for x in normals(42, 6)))


if __name__ == "__main__":
    main()
