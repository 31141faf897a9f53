using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Layers;

/// <summary>Small helpers shared by the layer tests.</summary>
internal static class LayerTestKit
{
    /// <summary>A leaf input of N(0, 1) values that gradients flow to.</summary>
    public static Var<double> Input(int seed, params int[] dims) => Var<double>.Parameter(Tensor.RandomNormal<double>(seed, dims), "x");

    /// <summary>Gradchecks <paramref name="f"/> against the input and every parameter of <paramref name="module"/>, in place.</summary>
    public static void AssertGradCheck(Func<Var<double>> f, Module<double> module, params Var<double>[] inputs)
    {
        var leaves = inputs.Concat(module.Parameters()).ToArray();
        var before = leaves.Select(l => l.Data.ToArray()).ToArray();
        var report = GradCheck.Run(f, leaves);
        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.Inputs, Has.Count.EqualTo(leaves.Length));
        for (int i = 0; i < leaves.Length; i++)
        {
            Assert.That(leaves[i].Data.ToArray(), Is.EqualTo(before[i]), "gradcheck must restore what it perturbs");
        }
    }

    /// <summary>Every task's output flattened and joined, so one check covers all of them.</summary>
    public static Var<double> Joined(TaskOutputs<double> outputs) => Ops.Concat([.. outputs.Values.Select(v => v.Reshape(-1))], 0);

    /// <summary>Asserts two arrays agree element-wise within an absolute tolerance.</summary>
    public static void AssertClose(ReadOnlySpan<double> actual, double[] expected, double tolerance, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tolerance), $"{what}[{i}]");
        }
    }
}
