using System.Numerics;
using System.Runtime.InteropServices;
using Mtl.Tensors;

namespace Mtl.Training.Optim;

/// <summary>
/// The update shared by <see cref="Adam{T}"/> and <see cref="AdamW{T}"/>, as torch.optim.Adam's
/// single-tensor path, at step t (1-based):
/// <code>
/// p ← p·(1 − lr·λ)                      (AdamW: decoupled weight decay)
/// g ← g + λ·p                           (Adam: L2 weight decay)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v̂ ← max(v̂, v)  (AMSGrad; v̂ replaces v below)
/// denom = √v / √(1 − β₂ᵗ) + ε
/// p ← p − (lr / (1 − β₁ᵗ)) · m / denom
/// </code>
/// </summary>
internal static class AdamUpdate
{
    public static void Apply<T>(Tensor<T> parameter, Tensor<T> gradient, AdamState<T> state, AdamOptions options, double lr, bool decoupled)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long step = state.Step + 1;
        Span<T> p = parameter.Span;
        ReadOnlySpan<T> g = gradient.ReadOnlySpan; // the raw gradient, for the L2 decay below
        double wd = options.WeightDecay;
        if (wd != 0)
        {
            if (decoupled)
            {
                TensorPrimitives.Multiply(p, S<T>(1 - (lr * wd)), p);
            }
            else
            {
                var decayed = state.DecayedGradient!;
                TensorPrimitives.MultiplyAdd(p, S<T>(wd), g, decayed.Span);
                gradient = decayed;
            }
        }

        double biasCorrection1 = 1 - Math.Pow(options.Beta1, step);
        double biasCorrection2 = 1 - Math.Pow(options.Beta2, step);
        var k = new Coefficients<T>(
            S<T>(options.Beta1),
            S<T>(1 - options.Beta1),
            S<T>(options.Beta2),
            S<T>(1 - options.Beta2),
            S<T>(Math.Sqrt(biasCorrection2)),
            S<T>(options.Epsilon),
            S<T>(-(lr / biasCorrection1)));
        if (p.Length >= ParallelThreshold && MtlThreads.Count > 1)
        {
            // Large tensors: two halves on two threads. Each element's arithmetic is independent and the
            // same either way, so the result does not depend on the thread count.
            var work = FusedWork<T>.ForThisThread;
            work.Set(parameter, gradient, state, k);
            MtlParallel.Run(work, 2);
            work.Clear();
            return;
        }

        Fused(p, gradient.ReadOnlySpan, state.ExpAvg.Span, state.ExpAvgSq.Span, state.MaxExpAvgSq is { } max ? max.Span : default, k);
    }

    /// <summary>Elements from which a parameter is updated on two threads (below it, waking a worker costs more than it saves).</summary>
    internal const int ParallelThreshold = 1 << 16;

    /// <summary>One half of a large parameter's update; reused, so a step allocates nothing.</summary>
    private sealed class FusedWork<T> : IParallelWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        [ThreadStatic]
        private static FusedWork<T>? _forThisThread;

        private Tensor<T>? _p, _g;
        private AdamState<T>? _state;
        private Coefficients<T> _k;

        public static FusedWork<T> ForThisThread => _forThisThread ??= new FusedWork<T>();

        public void Set(Tensor<T> p, Tensor<T> g, AdamState<T> state, Coefficients<T> k)
        {
            (_p, _g, _state, _k) = (p, g, state, k);
        }

        public void Clear() => (_p, _g, _state) = (null, null, null);

        public void Run(int part)
        {
            int n = _p!.Length;
            int half = (n / 2) & ~63;
            int start = part == 0 ? 0 : half, length = part == 0 ? half : n - half;
            var max = _state!.MaxExpAvgSq;
            Fused(
                _p.Span.Slice(start, length),
                _g!.ReadOnlySpan.Slice(start, length),
                _state.ExpAvg.Span.Slice(start, length),
                _state.ExpAvgSq.Span.Slice(start, length),
                max is null ? default : max.Span.Slice(start, length),
                _k);
        }
    }

    /// <summary>The constants of one step: β₁, 1−β₁, β₂, 1−β₂, √(1−β₂ᵗ), ε and −lr/(1−β₁ᵗ).</summary>
    private readonly record struct Coefficients<T>(T Beta1, T OneMinusBeta1, T Beta2, T OneMinusBeta2, T SqrtBiasCorrection2, T Epsilon, T NegativeStepSize);

    /// <summary>
    /// One pass over the parameter, doing per element exactly what PyTorch's single-tensor Adam does op by
    /// op (m = β₁m + (1−β₁)g; v = β₂v + ((1−β₂)g)·g; v̂ = max(v̂, v) with AMSGrad;
    /// p += −(lr/(1−β₁ᵗ))·m / (√v / √(1−β₂ᵗ) + ε)), each multiply and add rounded separately as there
    /// (no FMA), so the trajectory matches its goldens. One pass instead of ten: the update is bound by
    /// memory traffic, not arithmetic.
    /// </summary>
    private static void Fused<T>(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, Span<T> vMax, Coefficients<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool amsgrad = !vMax.IsEmpty;
        int i = 0;
        // System.Numerics.Vector<T> is the widest vector the JIT accelerates up to 256 bits: 8 floats on
        // AVX2 and AVX-512 hosts, 4 on ARM64 NEON and x86 without AVX2. The arithmetic is per element with
        // no fused operation, so every width gives the scalar loop's bits.
        if (Vector.IsHardwareAccelerated && p.Length >= Vector<T>.Count)
        {
            var b1 = new Vector<T>(k.Beta1);
            var c1 = new Vector<T>(k.OneMinusBeta1);
            var b2 = new Vector<T>(k.Beta2);
            var c2 = new Vector<T>(k.OneMinusBeta2);
            var bc2 = new Vector<T>(k.SqrtBiasCorrection2);
            var eps = new Vector<T>(k.Epsilon);
            var step = new Vector<T>(k.NegativeStepSize);
            ref T pr = ref MemoryMarshal.GetReference(p);
            ref T gr = ref MemoryMarshal.GetReference(g);
            ref T mr = ref MemoryMarshal.GetReference(m);
            ref T vr = ref MemoryMarshal.GetReference(v);
            ref T xr = ref MemoryMarshal.GetReference(vMax);
            int w = Vector<T>.Count;
            for (; i <= p.Length - w; i += w)
            {
                nuint at = (nuint)i;
                var gi = Vector.LoadUnsafe(ref gr, at);
                var mi = (Vector.LoadUnsafe(ref mr, at) * b1) + (gi * c1);
                var vi = (Vector.LoadUnsafe(ref vr, at) * b2) + ((gi * c2) * gi);
                mi.StoreUnsafe(ref mr, at);
                vi.StoreUnsafe(ref vr, at);
                if (amsgrad)
                {
                    vi = Vector.Max(Vector.LoadUnsafe(ref xr, at), vi);
                    vi.StoreUnsafe(ref xr, at);
                }

                var denominator = (Vector.SquareRoot(vi) / bc2) + eps;
                ((mi / denominator * step) + Vector.LoadUnsafe(ref pr, at)).StoreUnsafe(ref pr, at);
            }
        }

        for (; i < p.Length; i++)
        {
            T mi = (m[i] * k.Beta1) + (g[i] * k.OneMinusBeta1);
            T vi = (v[i] * k.Beta2) + (g[i] * k.OneMinusBeta2 * g[i]);
            m[i] = mi;
            v[i] = vi;
            if (amsgrad)
            {
                vi = T.Max(vMax[i], vi);
                vMax[i] = vi;
            }

            T denominator = (T.Sqrt(vi) / k.SqrtBiasCorrection2) + k.Epsilon;
            p[i] = (mi / denominator * k.NegativeStepSize) + p[i];
        }
    }

    private static T S<T>(double value)
        where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(value);
}
