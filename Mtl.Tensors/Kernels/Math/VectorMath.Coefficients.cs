namespace Mtl.Tensors.Kernels;

/// <summary>The polynomials of <see cref="VectorMath{TV, TW}"/>, highest degree first: the Chebyshev
/// interpolants printed by vector_math_coefficients.py beside this file (mpmath, 50 digits), which also
/// measures the double formulas against mpmath.</summary>
internal static partial class VectorMath<TV, TW>
{
    /// <summary>h(t) = (tanh(√t)/√t − 1)/t on [0, ¼], so tanh x = x + x·t·h(t): interpolation error 4.4e-17.</summary>
    private static ReadOnlySpan<double> TanhSmall =>
    [
        5.946956589774769e-05, -0.00022107222975864633, 0.0005849653729022644, -0.001454959384380466,
        0.0035920334653723926, -0.008863229270067843, 0.021869488297234514, -0.05396825396361009, 0.13333333333329825,
        -0.3333333333333333,
    ];

    /// <summary>e(t) = erf(√t)/√t on [0, ¼], so erf z = z·e(z²): interpolation error 4.3e-18.</summary>
    private static ReadOnlySpan<double> ErfSmall =>
    [
        1.4725865480556744e-06, -1.4845849259707869e-05, 0.00012053335124353741, -0.0008548297753674966,
        0.00522397737302147, -0.026866170632887928, 0.11283791670925353, -0.37612638903183476, 1.1283791670955126,
    ];

    /// <summary>F(t) = (1 + 2a)·e^(a²)·erfc(a) with a = 3(1 + t)/(1 − t), on t ∈ [−5/7, 1] (a ≥ ½): interpolation error 3.0e-18.</summary>
    private static ReadOnlySpan<double> ErfcLarge =>
    [
        3.4067993470325632e-09, -7.763887917930938e-09, -2.030202389500691e-08, 4.404797875133832e-08,
        1.1067996426745221e-07, -1.464210882999557e-07, -6.230702404690642e-07, 3.6111326505816053e-07,
        3.4754123465335582e-06, -7.33686426065499e-07, -2.0101508706745832e-05, 4.950173560521449e-06,
        0.00012509955426271118, -0.0001051599365097246, -0.0007798323014462081, 0.001888690375555504,
        0.0025293918188247794, -0.02377051491972935, 0.06830802734382649, -0.11927366341527468, 0.12964515870276463,
        -0.04756229435345113, -0.1356211061245812, 1.2530080582697296,
    ];
}
