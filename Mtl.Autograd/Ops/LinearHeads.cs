using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Several dense layers on the same input, y_t = x·W_tᵀ + b_t for t = 0..T−1, computed as one wide
    /// layer: the heads of a multi-task model on a shared trunk. Returns one output per head, the same
    /// values as T calls of <see cref="Linear{T}"/> (up to rounding, since the sums run in the wide GEMM's
    /// order).
    /// </summary>
    /// <remarks>
    /// Heads are usually narrow (one output for a regression task, a few classes), so T separate layers
    /// would pass over the activation x (batch × features) T times forward and 2T times backward, each
    /// pass doing only a few multiply-adds per element loaded. Stacking the weights into one [Σ out_t, in]
    /// matrix makes it one pass each way: one GEMM forward, one for dx and one for all the dW_t. Each
    /// head's output is then a column slice of the wide output, so its gradient lands in the right
    /// columns and each W_t and b_t still gets exactly its own gradient.
    /// </remarks>
    /// <param name="x">The shared input [batch, in].</param>
    /// <param name="weights">W_t [out_t, in] per head.</param>
    /// <param name="biases">b_t [out_t] per head, or null entries for heads without a bias.</param>
    public static Var<T>[] LinearHeads<T>(Var<T> x, IReadOnlyList<Var<T>> weights, IReadOnlyList<Var<T>?> biases)
        where T : unmanaged, IFloatingPointIeee754<T> => LinearHeadsNode<T>.Forward(x, weights, biases);
}

/// <summary>
/// Y = x·Wᵀ + b for the row-stacked W = [W_0; …; W_T−1] and b = [b_0, …], Y [batch, Σ out_t]. Backward:
/// dx = dY·W, dW = dYᵀ·x (rows off_t.. of it are dW_t), db = Σ_rows dY (entries off_t.. are db_t).
/// </summary>
internal sealed class LinearHeadsNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Var<T> _x;
    private readonly Var<T>[] _weights;
    private readonly Var<T>?[] _biases;
    private readonly Tensor<T> _stacked;
    private readonly int[] _offsets;

    private LinearHeadsNode(Var<T> x, Var<T>[] weights, Var<T>?[] biases, Tensor<T> stacked, int[] offsets)
    {
        _x = x;
        _weights = weights;
        _biases = biases;
        _stacked = stacked;
        _offsets = offsets;
    }

    public override string OpName => "linear_heads";

    public override string Detail => $"heads={_weights.Length}";

    protected override IEnumerable<Var<T>> TypedInputs
    {
        get
        {
            yield return _x;
            foreach (var w in _weights)
            {
                yield return w;
            }

            foreach (var b in _biases)
            {
                if (b is not null)
                {
                    yield return b;
                }
            }
        }
    }

    public static Var<T>[] Forward(Var<T> x, IReadOnlyList<Var<T>> weights, IReadOnlyList<Var<T>?> biases)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        var tape = Tape.ForOp("linear_heads", x);
        if (weights.Count == 0 || biases.Count != weights.Count)
        {
            throw new ArgumentException($"linear_heads: {weights.Count} weights and {biases.Count} biases; expected at least one head and one bias entry (or null) per weight.");
        }

        if (x.Shape.Rank != 2)
        {
            throw new ArgumentException($"linear_heads: input {x.Shape} must be [batch, in].");
        }

        int rows = x.Shape[0], inF = x.Shape[1], heads = weights.Count;
        var offsets = new int[heads + 1];
        bool grad = x.RequiresGrad;
        for (int t = 0; t < heads; t++)
        {
            var w = weights[t] ?? throw new ArgumentNullException(nameof(weights), $"linear_heads: weight {t} is null.");
            var b = biases[t];
            w.CheckUsable("linear_heads", tape);
            b?.CheckUsable("linear_heads", tape);
            if (w.Shape.Rank != 2 || w.Shape[1] != inF)
            {
                throw new ArgumentException($"linear_heads: input {x.Shape} and weight {t} {w.Describe()} do not fit (expected [out, {inF}]).");
            }

            if (b is not null && (b.Shape.Rank != 1 || b.Shape[0] != w.Shape[0]))
            {
                throw new ArgumentException($"linear_heads: bias {t} {b.Describe()} does not match weight {w.Describe()} (expected [{w.Shape[0]}]).");
            }

            offsets[t + 1] = offsets[t] + w.Shape[0];
            grad |= w.RequiresGrad || (b?.RequiresGrad ?? false);
        }

        int outF = offsets[heads];
        var stacked = tape.NewTensor<T>(new Shape(outF, inF));
        var bias = tape.NewTensor<T>(new Shape(outF));
        for (int t = 0; t < heads; t++)
        {
            weights[t].Data.ReadOnlySpan.CopyTo(stacked.Span[(offsets[t] * inF)..]);
            var bt = bias.Span[offsets[t]..offsets[t + 1]];
            if (biases[t] is { } b)
            {
                b.Data.ReadOnlySpan.CopyTo(bt);
            }
            else
            {
                bt.Clear();
            }
        }

        var y = tape.NewTensor<T>(new Shape(rows, outF));
        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, outF, inF, x.Data.ReadOnlySpan, stacked.ReadOnlySpan, y.Span, accumulate: false);
        BiasKernels<T>.AddToRows(y, rows, outF, bias);

        var wide = tape.Record(new LinearHeadsNode<T>(x, [.. weights], [.. biases], stacked, offsets), y, grad);
        var outputs = new Var<T>[heads];
        for (int t = 0; t < heads; t++)
        {
            outputs[t] = heads == 1 ? wide : wide.Slice(1, offsets[t], offsets[t + 1] - offsets[t]);
        }

        return outputs;
    }

    internal override void Backward()
    {
        int rows = _x.Shape[0], inF = _x.Shape[1], outF = _offsets[^1];
        var g = Dy.ReadOnlySpan;
        if (_x.GradSinkForOverwrite(out bool fresh) is { } gx)
        {
            Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, inF, outF, g, _stacked.ReadOnlySpan, gx.Span, accumulate: !fresh);
        }

        if (Array.Exists(_weights, w => w.RequiresGrad))
        {
            // One GEMM for all heads into a scratch [Σ out_t, in]; each head's rows are its dW_t.
            var dw = TensorPool<T>.Rent(_stacked.Shape, clear: false);
            Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, outF, inF, rows, g, _x.Data.ReadOnlySpan, dw.Span, accumulate: false);
            for (int t = 0; t < _weights.Length; t++)
            {
                if (_weights[t].GradSinkForOverwrite(out fresh) is { } gw)
                {
                    AddOrCopy(dw.ReadOnlySpan.Slice(_offsets[t] * inF, gw.Shape.Length), gw.Span, fresh);
                }
            }

            TensorPool<T>.Return(dw);
        }

        if (Array.Exists(_biases, b => b is { RequiresGrad: true }))
        {
            var db = TensorPool<T>.Rent(new Shape(outF), clear: false);
            BiasKernels<T>.ColumnSums(Dy, rows, outF, db, overwrite: true);
            for (int t = 0; t < _biases.Length; t++)
            {
                if (_biases[t]?.GradSinkForOverwrite(out fresh) is { } gb)
                {
                    AddOrCopy(db.ReadOnlySpan.Slice(_offsets[t], gb.Shape.Length), gb.Span, fresh);
                }
            }

            TensorPool<T>.Return(db);
        }
    }

    private static void AddOrCopy(ReadOnlySpan<T> source, Span<T> destination, bool overwrite)
    {
        if (overwrite)
        {
            source.CopyTo(destination);
        }
        else
        {
            TensorPrimitives.Add(destination, source, destination);
        }
    }
}
