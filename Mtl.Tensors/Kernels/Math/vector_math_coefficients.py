"""Polynomial coefficients of VectorMath.cs (Mtl's vector tanh and erfc), and their accuracy in double.

Run with mpmath installed: python3 vector_math_coefficients.py. Each polynomial is the Chebyshev
interpolant of its function (mpmath.chebyfit, 50 digits), printed highest degree first as VectorMath's
Horner loops read it. The check evaluates the formulas of VectorMath.cs in double (Python floats,
math.exp for the vector Exp) on a dense grid and prints the worst error in ulps.
"""
import math

import mpmath as mp
import numpy as np

mp.mp.dps = 50

# tanh x = x + x·t·h(t), t = x², for |x| < 0.5 (above it, 1 − 2/(e^(2|x|) + 1) loses at most a bit).
TANH_CUT = mp.mpf("0.5")


def tanh_h(t):
    if t == 0:
        return mp.mpf(-1) / 3
    x = mp.sqrt(t)
    return (mp.tanh(x) / x - 1) / t


# erf z = z·e(t), t = z², for |z| < 0.5 (erfc = 1 − erf there loses at most a bit).
def erf_e(t):
    if t == 0:
        return 2 / mp.sqrt(mp.pi)
    z = mp.sqrt(t)
    return mp.erf(z) / z


# erfc a = e^(−a²)·F(t)/(1 + 2a), t = (a − K)/(a + K), for a ≥ 0.5: (1 + 2a)·e^(a²)·erfc(a) is smooth and
# bounded on [0, ∞) (1 at a = 0, 2/√π at ∞), and the map a ↦ t brings [0.5, ∞) onto [(0.5 − K)/(0.5 + K), 1]
# (W. J. Shepherd and J. G. Laframboise, "Chebyshev approximation of (1 + 2x)exp(x²)erfc x in 0 ≤ x < ∞",
# Math. Comp. 36 (1981), who take K = 3.75; K = 3 needs one term fewer here).
ERFC_K = mp.mpf(3)
ERFC_CUT = mp.mpf("0.5")


def erfc_f(t):
    if t >= 1:
        return 2 / mp.sqrt(mp.pi)
    a = ERFC_K * (1 + t) / (1 - t)
    return (1 + 2 * a) * mp.exp(a * a) * mp.erfc(a)


def fit(name, f, interval, n):
    poly, err = mp.chebyfit(f, interval, n, error=True)
    coefficients = [float(c) for c in poly]
    print(f"// {name}: {n} coefficients, interpolation error {mp.nstr(err, 3)}")
    print("[")
    for c in coefficients:
        print(f"    {c!r},")
    print("]")
    return coefficients


def horner(cs, t):
    p = cs[0]
    for c in cs[1:]:
        p = p * t + c
    return p


def exp_minus_square(a):
    h = math.trunc(a * 16) / 16
    return math.exp(-h * h) * math.exp(-(a - h) * (a + h))


def ulps(got, exact):
    return float(abs(got - exact) / np.spacing(abs(float(exact))))


tanh_c = fit("tanh h(t)", tanh_h, [0, TANH_CUT**2], 10)
erf_c = fit("erf e(t)", erf_e, [0, ERFC_CUT**2], 9)
t0 = (ERFC_CUT - ERFC_K) / (ERFC_CUT + ERFC_K)
erfc_c = fit("erfc F(t)", erfc_f, [t0, 1], 24)


def tanh(x):
    a = abs(x)
    if a < float(TANH_CUT):
        t = x * x
        return x + x * t * horner(tanh_c, t)
    return math.copysign(1 - 2 / (math.exp(2 * a) + 1), x)


def erfc(z):
    a = abs(z)
    if a < float(ERFC_CUT):
        return 1 - z * horner(erf_c, z * z)
    k = float(ERFC_K)
    r = exp_minus_square(a) * horner(erfc_c, (a - k) / (a + k)) / (1 + 2 * a)
    return 2 - r if z < 0 else r


worst_tanh = max(ulps(tanh(x), mp.tanh(mp.mpf(x))) for x in np.linspace(-20, 20, 40001))
worst_erfc = max(ulps(erfc(z), mp.erfc(mp.mpf(z))) for z in np.linspace(-6, 26, 32001))
print(f"// double: tanh worst {worst_tanh:.2f} ulps on [-20, 20], erfc worst {worst_erfc:.2f} ulps on [-6, 26]")
