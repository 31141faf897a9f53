#!/usr/bin/env python3
"""High-precision reference values for GELU and erfc, pinned in Mtl.Tests/Tensors/SpecialFunctionsTests.cs.

Requires mpmath (50 significant digits). The GELU argument t = -x * (double nearest 1/sqrt 2) is rounded
in double exactly as Mtl's kernel rounds it, so the values test the kernel's erfc and not the (unavoidable)
conditioning of x -> x/sqrt 2. Likewise u = sqrt(2/pi)(x + 0.044715 x^3) for the tanh form is rounded step by
step in double as in the kernel, then x*sigmoid(2u) is evaluated exactly. Run: python3 gelu_reference.py
"""
import mpmath as mp

mp.mp.dps = 50
INV_SQRT2 = 0.70710678118654752440
SQRT_TWO_OVER_PI = 0.79788456080286535588
C = 0.044715

xs = [-10.0, -8.75, -7.5, -6.9376, -6.0, -5.25, -4.5, -3.247, -3.0, -2.83, -2.5, -2.0, -1.5, -1.0, -0.75,
      -0.5, -0.25, -1e-3, 1e-3, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.5, 6.0, 8.0, 10.0]
print("// x, GELU(x), GELU_tanh(x)")
for x in xs:
    t = -x * INV_SQRT2  # Python floats are IEEE doubles: one rounding, as in C#
    gelu = mp.mpf(0.5) * x * mp.erfc(t)
    u = SQRT_TWO_OVER_PI * (x + (C * x * x * x))
    gelu_tanh = x / (1 + mp.exp(-2 * mp.mpf(u)))
    print("(%r, %r, %r)," % (x, float(gelu), float(gelu_tanh)))

print("// t, erfc(t)")
for t in [-3.0, -1.0, -0.25, 0.0, 0.1, 0.4999, 0.5, 0.75, 1.0, 1.5, 1.9999, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 10.0, 20.0, 26.0]:
    print("(%r, %r)," % (t, float(mp.erfc(t))))
