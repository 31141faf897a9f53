using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Tests.Training.Optim;

/// <summary>
/// The fixed problem of Golden/optim_goldens.py: p1 [2, 3] and p2 [3] with the gradient of
/// L = Σ a/2·(p − c)², i.e. g = (p − c)·a, one rounding per operation as in PyTorch.
/// </summary>
internal sealed class QuadraticProblem<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly double[] _p1 = [0.5, -1.25, 2.0, 0.75, 0.1, -0.3];
    private static readonly double[] _p2 = [1.5, -0.7, 0.2];
    private static readonly double[] _a1 = [1.0, 2.5, 0.5, 3.0, 0.25, 1.5];
    private static readonly double[] _c1 = [0.1, 0.2, -0.4, -0.5, 0.3, 0.7];
    private static readonly double[] _a2 = [2.0, 0.8, 1.2];
    private static readonly double[] _c2 = [-0.3, 0.6, 0.05];

    private readonly Tensor<T> _a1T = Make(_a1, 2, 3);
    private readonly Tensor<T> _c1T = Make(_c1, 2, 3);
    private readonly Tensor<T> _a2T = Make(_a2, 3);
    private readonly Tensor<T> _c2T = Make(_c2, 3);

    public Var<T> P1 { get; } = Var<T>.Parameter(Make(_p1, 2, 3), "p1");

    public Var<T> P2 { get; } = Var<T>.Parameter(Make(_p2, 3), "p2");

    public KeyValuePair<string, Var<T>>[] Named => [new("p1", P1), new("p2", P2)];

    /// <summary>Sets each parameter's gradient to (p − c)·a.</summary>
    public void SetGradients()
    {
        SetGradient(P1, _c1T, _a1T);
        SetGradient(P2, _c2T, _a2T);
    }

    /// <summary>p1 then p2, flattened, as doubles.</summary>
    public void AppendValues(List<double> into)
    {
        foreach (var v in P1.Data.ReadOnlySpan)
        {
            into.Add(double.CreateTruncating(v));
        }

        foreach (var v in P2.Data.ReadOnlySpan)
        {
            into.Add(double.CreateTruncating(v));
        }
    }

    private static void SetGradient(Var<T> p, Tensor<T> c, Tensor<T> a)
    {
        // The leaf's gradient buffer (internal); a backward pass would only add the same numbers into it.
        var g = p.GradSink()!;
        TensorPrimitives.Subtract(p.Data.ReadOnlySpan, c.ReadOnlySpan, g.Span);
        TensorPrimitives.Multiply(g.ReadOnlySpan, a.ReadOnlySpan, g.Span);
    }

    private static Tensor<T> Make(double[] values, params int[] dims)
    {
        var t = new Tensor<T>(dims);
        for (int i = 0; i < values.Length; i++)
        {
            t[i] = T.CreateTruncating(values[i]);
        }

        return t;
    }
}
