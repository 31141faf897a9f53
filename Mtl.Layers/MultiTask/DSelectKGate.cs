using System.Globalization;
using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// The DSelect-k gate (Hazimeh et al. 2021): a differentiable choice of at most k of E experts per example,
/// a drop-in for MMoE's softmax gate. Each of k selectors encodes an expert index in m = ⌈log₂E⌉ soft bits:
/// for logits zᵣ = Zᵣ·x ∈ ℝᵐ and the smooth step S, selector r puts weight
/// rᵣ,ᵢ = Πⱼ (bitⱼ(i) ? S(zᵣ,ⱼ) : 1 − S(zᵣ,ⱼ)) on expert i; the selectors are mixed by w = softmax(A·x) ∈ ℝᵏ:
/// gᵢ = Σᵣ wᵣ·rᵣ,ᵢ. S(t) = 0 for t ≤ −γ/2, 1 for t ≥ γ/2, and −2t³/γ³ + 3t/(2γ) + ½ between, so once every
/// zᵣ,ⱼ leaves [−γ/2, γ/2] each selector is one expert exactly (a sparse gate) and training has found it by
/// gradient descent.
/// </summary>
/// <remarks>When E is not a power of two, codes ≥ E name no expert; their mass is dropped and the weights are
/// renormalised to sum to 1. The paper's entropy regulariser (which speeds the bits towards 0/1) is not
/// included.</remarks>
public sealed class DSelectKGate<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Linear<T>[] _bits;
    private readonly Linear<T> _selectorWeights;
    private readonly Tensor<T>[] _codes;
    private static readonly T Two = T.CreateTruncating(2);

    /// <summary>Creates the gate.</summary>
    /// <param name="inputFeatures">The input width.</param>
    /// <param name="experts">E, the number of experts (≥ 2).</param>
    /// <param name="k">The number of selectors, the most experts an example uses (≥ 1).</param>
    /// <param name="random">The generator of the logits' weights.</param>
    /// <param name="gamma">γ, the width of the smooth step's ramp (&gt; 0).</param>
    public DSelectKGate(int inputFeatures, int experts, int k, SeededRandom random, double gamma = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputFeatures);
        ArgumentOutOfRangeException.ThrowIfLessThan(experts, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentNullException.ThrowIfNull(random);
        if (!(gamma > 0) || !double.IsFinite(gamma))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), $"DSelectKGate: γ must be a finite number > 0, got {gamma}.");
        }

        Experts = experts;
        K = k;
        Gamma = gamma;
        int m = 0;
        while ((1 << m) < experts)
        {
            m++;
        }

        // One Linear per bit, each giving that bit's logit for all k selectors: zⱼ = Zⱼ·x ∈ ℝᵏ.
        _bits = new Linear<T>[m];
        _codes = new Tensor<T>[m];
        for (int j = 0; j < m; j++)
        {
            _bits[j] = RegisterModule($"bit{j.ToString(CultureInfo.InvariantCulture)}", new Linear<T>(inputFeatures, k, random));
            _codes[j] = new Tensor<T>(1, 1, experts);
            for (int i = 0; i < experts; i++)
            {
                _codes[j][i] = ((i >> j) & 1) == 1 ? T.One : T.Zero;
            }
        }

        _selectorWeights = RegisterModule("selectors", new Linear<T>(inputFeatures, k, random));
    }

    /// <summary>E.</summary>
    public int Experts { get; }

    /// <summary>k.</summary>
    public int K { get; }

    /// <summary>γ.</summary>
    public double Gamma { get; }

    /// <summary>The gate weights [N, E]: non-negative, each row summing to 1.</summary>
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int n = input.Shape[0];

        // r [N, k, E] = Πⱼ (1 − sⱼ + bitⱼ·(2sⱼ − 1)), sⱼ = S(zⱼ) [N, k, 1] against the codes' bits [1, 1, E].
        Var<T>? r = null;
        foreach (var (bit, code) in _bits.Zip(_codes))
        {
            var s = SmoothStep(bit.Forward(input)).Reshape(n, K, 1);
            var factor = (T.One - s) + (((s * Two) - T.One) * code);
            r = r is null ? factor : r * factor;
        }

        // g [N, E] = Σᵣ wᵣ·rᵣ: [N, 1, k]·[N, k, E].
        var w = _selectorWeights.Forward(input).Softmax().Reshape(n, 1, K);
        var g = w.MatMul(r!).Reshape(n, Experts);
        return (Experts & (Experts - 1)) == 0 ? g : g / g.Sum(axis: 1, keepDim: true);
    }

    /// <summary>S(t) = −2t³/γ³ + 3t/(2γ) + ½ on t clamped to [−γ/2, γ/2] (0 and 1 beyond, with a zero gradient there).</summary>
    private Var<T> SmoothStep(Var<T> t)
    {
        var c = t.Clamp(-Gamma / 2, Gamma / 2);
        T cubic = T.CreateTruncating(-2.0 / (Gamma * Gamma * Gamma)), linear = T.CreateTruncating(3.0 / (2.0 * Gamma));
        return (c * c * c * cubic) + (c * linear) + T.CreateTruncating(0.5);
    }
}
