using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;

namespace Mtl.Tests.Training.Trainer;

/// <summary>
/// Two tasks with different inputs, small enough to compute a step by hand: task a reads two features (four rows),
/// task b three (three rows). Each has its encoder eₜ = Eₜ·x + dₜ (Linear(inₜ, 2)), both share h = W·e + b
/// (Linear(2, 2)), and each has a head pₜ = vₜ·h + cₜ (Linear(2, 1)), trained with the mean squared error.
/// </summary>
internal static class TinyMultiInput
{
    public static readonly double[][] XA = [[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0], [0.25, 0.75]];
    public static readonly double[] YA = [1.0, -0.5, 2.0, 0.3];
    public static readonly double[][] XB = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 0.75]];
    public static readonly double[] YB = [-0.8, 1.1, -0.4];

    public static readonly string[] TaskNames = ["a", "b"];

    /// <summary>Task t's data set: its features and its target only.</summary>
    public static MultiTaskDataset<double> Data(int task)
    {
        var (x, y) = task == 0 ? (XA, YA) : (XB, YB);
        var features = new Tensor<double>(x.Length, x[0].Length);
        var target = new Tensor<double>(x.Length, 1);
        var mask = new Tensor<double>(x.Length);
        for (int r = 0; r < x.Length; r++)
        {
            for (int c = 0; c < x[0].Length; c++)
            {
                features[r, c] = x[r][c];
            }

            target[r] = y[r];
            mask[r] = 1;
        }

        return new MultiTaskDataset<double>(features, [], [], [], [TaskTarget<double>.Regression(TaskNames[task], target, mask)]);
    }

    public static Dictionary<string, MultiTaskDataset<double>> Data() => new() { ["a"] = Data(0), ["b"] = Data(1) };

    public static MultiInputModel<double> Model(int seed = 3)
    {
        var random = new SeededRandom(seed);
        return new MultiInputModel<double>(new Linear<double>(2, 2, random))
            .AddTask("a", new Linear<double>(2, 2, random), new Linear<double>(2, 1, random))
            .AddTask("b", new Linear<double>(3, 2, random), new Linear<double>(2, 1, random));
    }

    public static TrainingTask<double>[] Tasks() => [new("a", new MseLoss<double>()), new("b", new MseLoss<double>())];

    /// <summary>Every parameter of the model as plain arrays, by name (E, d, W, b, v, c).</summary>
    public static Dictionary<string, double[]> Values(MultiInputModel<double> model) =>
        model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Data.ToArray());

    /// <summary>
    /// Task t's loss and gradients by hand: eₙ = E·xₙ + d, hₙ = W·eₙ + b, rₙ = v·hₙ + c − yₙ, L = (1/N) Σ rₙ²;
    /// with gₙ = 2rₙ/N: ∂L/∂v = Σ gₙhₙ, ∂L/∂c = Σ gₙ, δhₙ = gₙv, ∂L/∂W = Σ δhₙ eₙᵀ, ∂L/∂b = Σ δhₙ, δeₙ = Wᵀδhₙ,
    /// ∂L/∂E = Σ δeₙ xₙᵀ, ∂L/∂d = Σ δeₙ. Gradients by parameter name; the other task's parameters are absent.
    /// </summary>
    public static (double Loss, Dictionary<string, double[]> Gradients) Gradients(Dictionary<string, double[]> p, int task)
    {
        string t = TaskNames[task];
        var (x, y) = task == 0 ? (XA, YA) : (XB, YB);
        int n = x.Length, width = x[0].Length;
        double[] e = p[$"encoders.{t}.weight"], d = p[$"encoders.{t}.bias"], w = p["shared.weight"], b = p["shared.bias"];
        double[] v = p[$"heads.{t}.weight"], c = p[$"heads.{t}.bias"];
        var grad = new Dictionary<string, double[]>
        {
            [$"encoders.{t}.weight"] = new double[2 * width],
            [$"encoders.{t}.bias"] = new double[2],
            ["shared.weight"] = new double[4],
            ["shared.bias"] = new double[2],
            [$"heads.{t}.weight"] = new double[2],
            [$"heads.{t}.bias"] = new double[1],
        };
        double loss = 0;
        for (int r = 0; r < n; r++)
        {
            var enc = new double[2];
            for (int i = 0; i < 2; i++)
            {
                enc[i] = d[i];
                for (int j = 0; j < width; j++)
                {
                    enc[i] += e[(i * width) + j] * x[r][j];
                }
            }

            double[] h = [(w[0] * enc[0]) + (w[1] * enc[1]) + b[0], (w[2] * enc[0]) + (w[3] * enc[1]) + b[1]];
            double residual = (v[0] * h[0]) + (v[1] * h[1]) + c[0] - y[r];
            loss += residual * residual / n;
            double g = 2 * residual / n;
            double[] dh = [g * v[0], g * v[1]];
            double[] de = [(w[0] * dh[0]) + (w[2] * dh[1]), (w[1] * dh[0]) + (w[3] * dh[1])];
            for (int i = 0; i < 2; i++)
            {
                grad[$"heads.{t}.weight"][i] += g * h[i];
                grad["shared.bias"][i] += dh[i];
                grad[$"encoders.{t}.bias"][i] += de[i];
                for (int j = 0; j < 2; j++)
                {
                    grad["shared.weight"][(i * 2) + j] += dh[i] * enc[j];
                }

                for (int j = 0; j < width; j++)
                {
                    grad[$"encoders.{t}.weight"][(i * width) + j] += de[i] * x[r][j];
                }
            }

            grad[$"heads.{t}.bias"][0] += g;
        }

        return (loss, grad);
    }

    /// <summary>The shared block's gradient flattened as the trainer orders it: W (4), then b (2).</summary>
    public static double[] Shared(Dictionary<string, double[]> gradients) => [.. gradients["shared.weight"], .. gradients["shared.bias"]];

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
