using System.Numerics;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;

namespace Mtl.Tests.Training.Trainer;

/// <summary>
/// A problem small enough to compute a training step by hand: two features, a shared Linear(2, 2)
/// h = W·x + b, and one Linear(2, 1) head per task, pₜ = vₜ·h + cₜ, each trained with the mean squared error.
/// The targets of task b are roughly the negatives of task a's, so their gradients on the shared layer conflict.
/// </summary>
internal static class TinyTwoTask
{
    public static readonly double[,] X = { { 1.0, 0.5 }, { -0.5, 1.5 }, { 2.0, -1.0 }, { 0.25, 0.75 } };
    public static readonly double[] A = [1.0, -0.5, 2.0, 0.3];
    public static readonly double[] B = [-0.8, 0.6, -1.7, -0.1];

    public static int Rows => A.Length;

    /// <summary>The data; <paramref name="maskB"/> (1 labelled, 0 missing) masks task b's rows.</summary>
    public static MultiTaskDataset<T> Data<T>(double[]? maskB = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new Tensor<T>(Rows, 2);
        var a = new Tensor<T>(Rows, 1);
        var b = new Tensor<T>(Rows, 1);
        var ma = new Tensor<T>(Rows);
        var mb = new Tensor<T>(Rows);
        for (int i = 0; i < Rows; i++)
        {
            x[(i * 2) + 0] = T.CreateTruncating(X[i, 0]);
            x[(i * 2) + 1] = T.CreateTruncating(X[i, 1]);
            a[i] = T.CreateTruncating(A[i]);
            b[i] = T.CreateTruncating(B[i]);
            ma[i] = T.One;
            mb[i] = T.CreateTruncating(maskB?[i] ?? 1.0);
        }

        return new MultiTaskDataset<T>(x, ["x0", "x1"], [0, 1], [], [TaskTarget<T>.Regression("a", a, ma), TaskTarget<T>.Regression("b", b, mb)]);
    }

    public static MultiTaskModel<T> Model<T>(int seed = 3)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(seed);
        return new MultiTaskModel<T>(new Sequential<T>(new Linear<T>(2, 2, random)))
            .AddHead("a", new Linear<T>(2, 1, random))
            .AddHead("b", new Linear<T>(2, 1, random));
    }

    public static TrainingTask<T>[] Tasks<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        [new("a", new MseLoss<T>()), new("b", new MseLoss<T>())];

    /// <summary>The parameters as plain arrays: W [2, 2] row-major, b [2], and per head v [2], c.</summary>
    public sealed record Values(double[] W, double[] Bias, double[][] V, double[] C)
    {
        public static Values Of(MultiTaskModel<double> model)
        {
            var shared = (Linear<double>)model.Shared[0];
            var heads = new[] { "a", "b" }.Select(t => (Linear<double>)model.Heads[t]).ToArray();
            return new Values(
                shared.Weight.Data.ToArray(),
                shared.Bias!.Data.ToArray(),
                heads.Select(h => h.Weight.Data.ToArray()).ToArray(),
                heads.Select(h => h.Bias!.Data[0]).ToArray());
        }
    }

    /// <summary>
    /// By hand, for task t over the rows where <paramref name="mask"/> is 1: hₙ = W·xₙ + b, rₙ = vₜ·hₙ + cₜ − yₙ,
    /// L = (1/N) Σ rₙ², ∂L/∂W[i, j] = (2/N) Σ rₙ·vₜ[i]·xₙ[j], ∂L/∂b[i] = (2/N) Σ rₙ·vₜ[i], ∂L/∂vₜ = (2/N) Σ rₙ·hₙ,
    /// ∂L/∂cₜ = (2/N) Σ rₙ. Returns L, the shared gradient [W (4), b (2)] and the head gradient [v (2), c].
    /// </summary>
    public static (double Loss, double[] Shared, double[] Head) Gradients(Values p, int task, double[]? mask = null)
    {
        double[] y = task == 0 ? A : B;
        var shared = new double[6];
        var head = new double[3];
        double loss = 0;
        int n = 0;
        for (int r = 0; r < Rows; r++)
        {
            n += mask is null || mask[r] != 0 ? 1 : 0;
        }

        for (int r = 0; r < Rows; r++)
        {
            if (mask is not null && mask[r] == 0)
            {
                continue;
            }

            double[] h = [(p.W[0] * X[r, 0]) + (p.W[1] * X[r, 1]) + p.Bias[0], (p.W[2] * X[r, 0]) + (p.W[3] * X[r, 1]) + p.Bias[1]];
            double residual = (p.V[task][0] * h[0]) + (p.V[task][1] * h[1]) + p.C[task] - y[r];
            loss += residual * residual / n;
            double g = 2 * residual / n;
            for (int i = 0; i < 2; i++)
            {
                shared[(i * 2) + 0] += g * p.V[task][i] * X[r, 0];
                shared[(i * 2) + 1] += g * p.V[task][i] * X[r, 1];
                shared[4 + i] += g * p.V[task][i];
                head[i] += g * h[i];
            }

            head[2] += g;
        }

        return (loss, shared, head);
    }

    public static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
