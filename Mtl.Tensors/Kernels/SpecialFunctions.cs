namespace Mtl.Tensors.Kernels;

/// <summary>Special functions .NET's Math lacks, accurate to about 1e-15 relative in double.</summary>
public static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double OneOverSqrtPi = 0.5641895835477563;

    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ e^(-t²) dt.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return x;
        }

        double ax = Math.Abs(x);
        if (ax < 2.0)
        {
            // Maclaurin series erf(x) = 2/√π Σ (-1)ⁿ x^(2n+1) / (n! (2n+1)); for |x| < 2 the largest
            // term is below 10, so cancellation costs at most one digit.
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 60; n++)
            {
                term *= -x2 / n;
                double add = term / ((2 * n) + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }
            }

            return TwoOverSqrtPi * sum;
        }

        double erfc = ax >= 6.0 ? 0.0 : ErfcContinuedFraction(ax);
        return x > 0 ? 1.0 - erfc : erfc - 1.0;
    }

    /// <summary>
    /// erfc(x) for x ≥ 2 from the continued fraction erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
    /// evaluated bottom-up with enough terms for full double precision at x ≥ 2.
    /// </summary>
    private static double ErfcContinuedFraction(double x)
    {
        double f = x;
        for (int n = 80; n >= 1; n--)
        {
            f = x + (n * 0.5 / f);
        }

        return Math.Exp(-x * x) * OneOverSqrtPi / f;
    }
}
