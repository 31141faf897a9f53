using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Losses;

/// <summary>One table of losses with valid inputs, shared by the gradcheck and mask tests.</summary>
public static class LossCases
{
    public const int Rows = 5;

    public sealed record Case(string Name, ITaskLoss<double> Loss, int Width, Func<SeededRandom, Tensor<double>> Target, Func<SeededRandom, Tensor<double>>? Prediction = null)
    {
        public Tensor<double> MakePrediction(SeededRandom r) => Prediction?.Invoke(r) ?? Tensor.RandomNormal<double>(r, new Shape(Rows, Width));

        public override string ToString() => Name;
    }

    private static Tensor<double> Normal(SeededRandom r, params int[] dims) => Tensor.RandomNormal<double>(r, new Shape(dims));

    private static Tensor<double> Uniform01(SeededRandom r, params int[] dims) => Tensor.RandomUniform<double>(r, new Shape(dims));

    private static Tensor<double> Labels(SeededRandom r, int classes)
    {
        var t = new Tensor<double>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            t[i] = r.NextInt(classes);
        }

        return t;
    }

    /// <summary>Predictions with |p − t| of at least 0.05 away from 0 and from δ, so central differences
    /// never straddle a kink of L1 or Huber.</summary>
    private static Tensor<double> AwayFromKinks(SeededRandom r, double delta)
    {
        var p = new Tensor<double>(Rows, 1);
        for (int i = 0; i < Rows; i++)
        {
            double magnitude = (i % 2 == 0 ? 0.1 : delta + 0.3) + (0.5 * r.NextDouble() * (i % 2 == 0 ? (delta - 0.2) / 0.5 : 1));
            p[i] = (i % 3 == 0 ? -1 : 1) * magnitude;
        }

        return p;
    }

    public static IEnumerable<Case> All()
    {
        yield return new("mse", new MseLoss<double>(), 1, r => Normal(r, Rows));
        yield return new("mse sum [N, 3]", new MseLoss<double>(LossReduction.Sum), 3, r => Normal(r, Rows, 3));
        yield return new("l1", new L1Loss<double>(), 1, r => Tensor.Zeros<double>(Rows), r => AwayFromKinks(r, 1.0));
        yield return new("huber δ=0.8", new HuberLoss<double>(0.8), 1, r => Tensor.Zeros<double>(Rows), r => AwayFromKinks(r, 0.8));
        yield return new("bce", new BceWithLogitsLoss<double>(), 3, r => Uniform01(r, Rows, 3));
        yield return new("bce pos_weight", new BceWithLogitsLoss<double>(Tensor.FromArray<double>([2.0, 0.5, 3.0])), 3, r => Uniform01(r, Rows, 3));
        yield return new("cross entropy", new CrossEntropyLoss<double>(), 4, r => Labels(r, 4));
        yield return new("cross entropy sum", new CrossEntropyLoss<double>(LossReduction.Sum), 4, r => Labels(r, 4));
    }
}
