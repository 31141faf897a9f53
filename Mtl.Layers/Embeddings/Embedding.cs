using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;

namespace Mtl.Layers;

/// <summary>
/// A lookup table (PyTorch's nn.Embedding): row i of <c>weight</c> [num, dim], drawn N(0, 1) as PyTorch
/// does, is the vector of index i. y[p] = weight[index[p]]; the gradient of each looked-up row
/// accumulates dy of every position that used it (the gather op's backward).
/// </summary>
/// <remarks>Indices come either as integers (<see cref="Forward(int[])"/>) or, so the layer can sit in a
/// <see cref="Sequential{T}"/> or serve as a task encoder, as a Var of integral values of any shape
/// (<see cref="Forward(Var{T})"/>), whose output has one more axis of size dim.</remarks>
public sealed class Embedding<T> : Layer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the table with rows drawn N(0, 1) from <paramref name="random"/>.</summary>
    /// <param name="numEmbeddings">Number of rows (valid indices are 0 .. num − 1).</param>
    /// <param name="embeddingDim">Length of each row.</param>
    /// <param name="random">The generator the rows are drawn from.</param>
    public Embedding(int numEmbeddings, int embeddingDim, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numEmbeddings);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(embeddingDim);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Weight = RegisterParameter("weight", Tensor.RandomNormal<T>(random, new Shape(numEmbeddings, embeddingDim)));
    }

    /// <summary>Number of rows.</summary>
    public int NumEmbeddings { get; }

    /// <summary>Length of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The table [num, dim].</summary>
    public Var<T> Weight { get; }

    /// <summary>The rows of <paramref name="indices"/>: [indices.Length, dim].</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside 0 .. num − 1; the message names the layer and the index.</exception>
    public Var<T> Forward(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        for (int p = 0; p < indices.Length; p++)
        {
            if ((uint)indices[p] >= (uint)NumEmbeddings)
            {
                throw IndexError(indices[p].ToString(System.Globalization.CultureInfo.InvariantCulture), p);
            }
        }

        return Weight.Gather(indices);
    }

    /// <summary>
    /// The rows of the integral values in <paramref name="input"/> (any shape S, no gradient flows to
    /// it): output shape S + [dim].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not an integer in 0 .. num − 1.</exception>
    /// <exception cref="ArgumentException">The input is a scalar or has the maximum rank already.</exception>
    public override Var<T> Forward(Var<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Shape.Rank == 0 || input.Shape.Rank >= Shape.MaxRank)
        {
            throw ShapeError("the index input", input.Shape, $"rank 1 to {Shape.MaxRank - 1}");
        }

        var values = input.Data.ReadOnlySpan;
        var indices = new int[values.Length];
        for (int p = 0; p < values.Length; p++)
        {
            T v = values[p];
            if (!T.IsInteger(v) || v < T.Zero || v >= T.CreateTruncating(NumEmbeddings))
            {
                throw IndexError(v.ToString(null, System.Globalization.CultureInfo.InvariantCulture), p);
            }

            indices[p] = int.CreateTruncating(v);
        }

        Span<int> dims = stackalloc int[input.Shape.Rank + 1];
        input.Shape.CopyTo(dims);
        dims[^1] = EmbeddingDim;
        return Weight.Gather(indices).Reshape(dims);
    }

    private ArgumentOutOfRangeException IndexError(string index, int position) =>
        new("input", $"{(Path.Length == 0 ? "Embedding" : Path)} (Embedding): index {index} at position {position} is out of range; valid indices are 0 to {NumEmbeddings - 1}.");
}
