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
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(weights);
        var outputs = new Var<T>[weights.Count];
        LinearHeadsNode<T>.Forward(x, weights, biases, outputs);
        return outputs;
    }

    /// <summary>As <see cref="LinearHeads{T}(Var{T}, IReadOnlyList{Var{T}}, IReadOnlyList{Var{T}})"/>, writing head t's
    /// output to <paramref name="outputs"/>[t] (one entry per head), so a model's forward pass allocates no array.</summary>
    /// <exception cref="ArgumentException"><paramref name="outputs"/> does not have one entry per head.</exception>
    public static void LinearHeads<T>(Var<T> x, IReadOnlyList<Var<T>> weights, IReadOnlyList<Var<T>?> biases, Span<Var<T>> outputs)
        where T : unmanaged, IFloatingPointIeee754<T> => LinearHeadsNode<T>.Forward(x, weights, biases, outputs);
}

/// <summary>
/// Y = x·Wᵀ + b for the row-stacked W = [W_0; …; W_T−1] and b = [b_0, …], Y [batch, Σ out_t]. Backward:
/// dx = dY·W, dW = dYᵀ·x (rows off_t.. of it are dW_t), db = Σ_rows dY (entries off_t.. are db_t).
/// </summary>
internal sealed class LinearHeadsNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // Kept across uses of the pooled node (cleared, not reallocated), so a repeated step allocates nothing.
    private readonly List<Var<T>> _weights = [];
    private readonly List<Var<T>?> _biases = [];
    private readonly List<int> _offsets = [];
    private Var<T> _x = null!;
    private Tensor<T> _stacked = null!;

    public override string OpName => "linear_heads";

    public override string Detail => $"heads={_weights.Count}";

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

    public static void Forward(Var<T> x, IReadOnlyList<Var<T>> weights, IReadOnlyList<Var<T>?> biases, Span<Var<T>> outputs)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        var tape = Tape.ForOp("linear_heads", x);
        if (weights.Count == 0 || biases.Count != weights.Count)
        {
            throw new ArgumentException($"linear_heads: {weights.Count} weights and {biases.Count} biases; expected at least one head and one bias entry (or null) per weight.");
        }

        if (outputs.Length != weights.Count)
        {
            throw new ArgumentException($"linear_heads: room for {outputs.Length} outputs for {weights.Count} heads.", nameof(outputs));
        }

        if (x.Shape.Rank != 2)
        {
            throw new ArgumentException($"linear_heads: input {x.Shape} must be [batch, in].");
        }

        int rows = x.Shape[0], inF = x.Shape[1], heads = weights.Count, outF = 0;
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

            outF += w.Shape[0];
            grad |= w.RequiresGrad || (b?.RequiresGrad ?? false);
        }

        var node = NodePool<LinearHeadsNode<T>>.Rent();
        var offsets = node._offsets;
        offsets.Add(0);
        var stacked = tape.NewTensor<T>(new Shape(outF, inF));
        var bias = tape.NewTensor<T>(new Shape(outF));
        for (int t = 0; t < heads; t++)
        {
            node._weights.Add(weights[t]);
            node._biases.Add(biases[t]);
            offsets.Add(offsets[t] + weights[t].Shape[0]);
            weights[t].Value.ReadOnlySpan.CopyTo(stacked.Span[(offsets[t] * inF)..]);
            var bt = bias.Span[offsets[t]..offsets[t + 1]];
            if (biases[t] is { } b)
            {
                b.Value.ReadOnlySpan.CopyTo(bt);
            }
            else
            {
                bt.Clear();
            }
        }

        var y = tape.NewTensor<T>(new Shape(rows, outF));
        Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.Transpose, rows, outF, inF, x.Value.ReadOnlySpan, stacked.ReadOnlySpan, y.Span, accumulate: false);
        BiasKernels<T>.AddToRows(y, rows, outF, bias);

        (node._x, node._stacked) = (x, stacked);
        var wide = tape.Record(node, y, grad);
        int at = 0;
        for (int t = 0; t < heads; t++)
        {
            // Widths from the weights, not the node's offsets: Record may already have returned the node to its pool.
            int width = weights[t].Shape[0];
            outputs[t] = heads == 1 ? wide : wide.Slice(1, at, width);
            at += width;
        }
    }

    internal override void Backward()
    {
        int rows = _x.Shape[0], inF = _x.Shape[1], outF = _offsets[^1];
        var g = Dy.ReadOnlySpan;
        if (_x.GradSinkForOverwrite(out bool fresh) is { } gx)
        {
            Gemm.Multiply(MatrixTranspose.None, MatrixTranspose.None, rows, inF, outF, g, _stacked.ReadOnlySpan, gx.Span, accumulate: !fresh);
        }

        if (_weights.Exists(w => w.RequiresGrad))
        {
            // One GEMM for all heads into a scratch [Σ out_t, in]; each head's rows are its dW_t.
            var dw = TensorPool<T>.Lease(_stacked.Shape, clear: false);
            Gemm.Multiply(MatrixTranspose.Transpose, MatrixTranspose.None, outF, inF, rows, g, _x.Value.ReadOnlySpan, dw.Span, accumulate: false);
            for (int t = 0; t < _weights.Count; t++)
            {
                if (_weights[t].GradSinkForOverwrite(out fresh) is { } gw)
                {
                    AddOrCopy(dw.ReadOnlySpan.Slice(_offsets[t] * inF, gw.Shape.Length), gw.Span, fresh);
                }
            }

            TensorPool<T>.Return(dw);
        }

        if (_biases.Exists(b => b is { RequiresGrad: true }))
        {
            var db = TensorPool<T>.Lease(new Shape(outF), clear: false);
            BiasKernels<T>.ColumnSums(Dy, rows, outF, db, overwrite: true);
            for (int t = 0; t < _biases.Count; t++)
            {
                if (_biases[t]?.GradSinkForOverwrite(out fresh) is { } gb)
                {
                    AddOrCopy(db.ReadOnlySpan.Slice(_offsets[t], gb.Shape.Length), gb.Span, fresh);
                }
            }

            TensorPool<T>.Return(db);
        }
    }

    private protected override void Release()
    {
        _weights.Clear();
        _biases.Clear();
        _offsets.Clear();
        (_x, _stacked) = (null!, null!);
        NodePool<LinearHeadsNode<T>>.Return(this);
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
