using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>shared = Linear(3, hidden) → Linear(hidden, 2), a buffer running_mean [hidden], and
/// optionally a head Linear(2, 1): the model of Golden/safetensors_fixtures.py (hidden 4, no head).</summary>
public sealed class TinyModel<T> : Module<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public TinyModel(int seed, int hidden = 4, bool head = false)
    {
        var random = new SeededRandom(seed);
        Shared = RegisterModule("shared", new Sequential<T>(new Linear<T>(3, hidden, random), new Linear<T>(hidden, 2, random)));
        RunningMean = Tensor.RandomNormal<T>(random, new Shape(hidden));
        RegisterBuffer("running_mean", RunningMean);
        Head = head ? RegisterModule("head", new Linear<T>(2, 1, random)) : null;
    }

    public Sequential<T> Shared { get; }

    public Tensor<T> RunningMean { get; }

    public Linear<T>? Head { get; }

    public Var<T> Forward(Var<T> x)
    {
        var y = Shared.Forward(x);
        return Head is null ? y : Head.Forward(y);
    }

    /// <summary>Every parameter and buffer, in checkpoint order.</summary>
    public List<KeyValuePair<string, Tensor<T>>> Tensors()
    {
        var all = NamedParameters().Select(p => new KeyValuePair<string, Tensor<T>>(p.Key, p.Value.Data)).ToList();
        all.AddRange(NamedBuffers());
        return all;
    }

    /// <summary>Element i of the k-th tensor = (16k + i)/8 − 3, as in the Python fixtures.</summary>
    public void FillFixtureValues()
    {
        var tensors = Tensors();
        for (int k = 0; k < tensors.Count; k++)
        {
            var t = tensors[k].Value;
            for (int i = 0; i < t.Length; i++)
            {
                t[i] = T.CreateTruncating((((16.0 * k) + i) / 8) - 3);
            }
        }
    }

    /// <summary>Deep copies of every tensor, to check that a failed load changed nothing.</summary>
    public List<Tensor<T>> Snapshot() => Tensors().Select(t => t.Value.Clone()).ToList();

    public bool Matches(List<Tensor<T>> snapshot) => Tensors().Select(t => t.Value).Zip(snapshot).All(p => p.First.ContentEquals(p.Second));
}
