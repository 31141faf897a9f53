using System.Numerics;
using System.Text;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// Thrown inside <see cref="Tape.DetectAnomaly"/> by the first op whose output (forward) or whose
/// inputs' gradients (backward) contain NaN or infinity.
/// </summary>
public sealed class AnomalyException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AnomalyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public AnomalyException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public AnomalyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The op's name.</summary>
    public string? OpName { get; init; }

    /// <summary>The op's position on the tape.</summary>
    public int TapeIndex { get; init; }

    internal static void CheckForward<T>(Node node, Tensor<T> output)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var stats = TensorStats.Of(output);
        if (!stats.AllFinite)
        {
            throw Create(node, $"forward: the output of {node.OpName} (#{node.Index}) has {stats.NaNCount} NaN and {stats.InfinityCount} infinite values ({stats})");
        }
    }

    internal static void CheckBackward<T>(Node node, Var<T> input, Tensor<T> grad)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var stats = TensorStats.Of(grad);
        if (!stats.AllFinite)
        {
            throw Create(node, $"backward: {node.OpName} (#{node.Index}) produced a gradient for {input.Describe()} with {stats.NaNCount} NaN and {stats.InfinityCount} infinite values ({stats})");
        }
    }

    private static AnomalyException Create(Node node, string what)
    {
        var sb = new StringBuilder("Anomaly in ").Append(what).Append('.');
        var inputs = node.Inputs;
        for (int i = 0; i < inputs.Count; i++)
        {
            sb.Append($"\n  input {i}: {inputs[i].Name ?? "(unnamed)"} {inputs[i].Shape} {inputs[i].ValueStats()}");
        }

        return new AnomalyException(sb.ToString()) { OpName = node.OpName, TapeIndex = node.Index };
    }
}
