using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// Batch normalisation of [N, C] features (Ioffe &amp; Szegedy 2015; PyTorch's nn.BatchNorm1d):
/// y = (x − μ) / √(σ² + ε) · weight + bias per channel. In training μ and σ² are the batch mean and
/// biased batch variance, and the running statistics move by
/// running_mean ← (1 − m)·running_mean + m·μ and running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)
/// (the unbiased variance, as PyTorch); in evaluation the running statistics replace μ and σ².
/// Training normalisation is composed from autograd primitives, so gradients flow through μ and σ².
/// </summary>
/// <remarks>Buffers <c>running_mean</c> [C], <c>running_var</c> [C] and <c>num_batches_tracked</c> (a
/// scalar count of training batches, stored in T where PyTorch uses int64).</remarks>
public sealed class BatchNorm1d<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the layer: weight 1, bias 0, running mean 0, running variance 1.</summary>
    /// <param name="numFeatures">C, the number of channels.</param>
    /// <param name="eps">ε added to the variance (PyTorch's default 1e-5).</param>
    /// <param name="momentum">m, the weight of the newest batch in the running statistics (default 0.1).</param>
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        ArgumentOutOfRangeException.ThrowIfNegative(eps);
        if (!(momentum >= 0 && momentum <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), $"BatchNorm1d: momentum must be in [0, 1], got {momentum}.");
        }

        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Weight = RegisterParameter("weight", Tensor.Ones<T>(numFeatures));
        Bias = RegisterParameter("bias", Tensor.Zeros<T>(numFeatures));
        RunningMean = Tensor.Zeros<T>(numFeatures);
        RunningVar = Tensor.Ones<T>(numFeatures);
        NumBatchesTracked = Tensor.Scalar(T.Zero);
        RegisterBuffer("running_mean", RunningMean);
        RegisterBuffer("running_var", RunningVar);
        RegisterBuffer("num_batches_tracked", NumBatchesTracked);
    }

    /// <summary>C, the number of channels.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public double Eps { get; }

    /// <summary>The weight of the newest batch in the running statistics.</summary>
    public double Momentum { get; }

    /// <summary>The scale γ [C].</summary>
    public Var<T> Weight { get; }

    /// <summary>The shift β [C].</summary>
    public Var<T> Bias { get; }

    /// <summary>Running mean [C] (a buffer, updated in training).</summary>
    public Tensor<T> RunningMean { get; }

    /// <summary>Running unbiased variance [C] (a buffer, updated in training).</summary>
    public Tensor<T> RunningVar { get; }

    /// <summary>Number of training batches seen (a scalar buffer).</summary>
    public Tensor<T> NumBatchesTracked { get; }

    /// <inheritdoc />
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shape.Rank != 2 || input.Shape[1] != NumFeatures)
        {
            throw ShapeError("the input", input.Shape, $"[batch, {NumFeatures}]");
        }

        var eps = T.CreateTruncating(Eps);
        if (!IsTraining)
        {
            var mean = Var<T>.Constant(RunningMean);
            var inverseStd = (Var<T>.Constant(RunningVar) + eps).Sqrt().Reciprocal();
            return ((input - mean) * inverseStd * Weight) + Bias;
        }

        int n = input.Shape[0];
        if (n < 2)
        {
            throw ShapeError("the input in training mode", input.Shape, $"[batch ≥ 2, {NumFeatures}] (one sample has no batch variance)");
        }

        var batchMean = input.Mean(0, keepDim: true);
        var centred = input - batchMean;
        var batchVar = centred.Square().Mean(0, keepDim: true);
        UpdateRunningStatistics(batchMean.Data.ReadOnlySpan, batchVar.Data.ReadOnlySpan, n);
        var scale = (batchVar + eps).Sqrt().Reciprocal();
        return (centred * scale * Weight) + Bias;
    }

    private void UpdateRunningStatistics(ReadOnlySpan<T> mean, ReadOnlySpan<T> biasedVar, int n)
    {
        T m = T.CreateTruncating(Momentum), keep = T.One - m;
        T unbias = T.CreateTruncating(n) / T.CreateTruncating(n - 1);
        var rm = RunningMean.Span;
        var rv = RunningVar.Span;
        for (int c = 0; c < NumFeatures; c++)
        {
            rm[c] = (keep * rm[c]) + (m * mean[c]);
            rv[c] = (keep * rv[c]) + (m * biasedVar[c] * unbias);
        }

        NumBatchesTracked.Span[0] += T.One;
    }
}
