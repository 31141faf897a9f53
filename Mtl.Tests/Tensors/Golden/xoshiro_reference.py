#!/usr/bin/env python3
"""Independent reference for Mtl.Tensors.SeededRandom: SplitMix64 seeding + xoshiro256**.

Written from the published C sources (https://prng.di.unimi.it/splitmix64.c and
https://prng.di.unimi.it/xoshiro256starstar.c) with plain Python integers masked to 64 bits;
it shares no code with the C# implementation. Run: python3 xoshiro_reference.py
The output is pinned in Mtl.Tests/Tensors/SeededRandomTests.cs.
"""

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


def main():
    for seed in (42, 0, -1):
        g = Xoshiro256StarStar(seed)
        values = ", ".join("0x%016XUL" % g.next() for _ in range(5))
        print("seed %d: %s" % (seed, values))


if __name__ == "__main__":
    main()
