using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// A differentiable value: a tensor, its gradient, whether gradients flow to it, and an optional name.
/// Leaves are made with <see cref="Parameter"/> (trainable, named) or <see cref="Constant"/> (inputs);
/// every op on them returns a new <see cref="Var{T}"/> recorded on the thread's <see cref="Tape"/>.
/// </summary>
/// <remarks>
/// A value an op produced while recording belongs to the tape's live generation: once the tape is
/// released (at the next forward pass after a backward, or by <see cref="Tape.Release"/>) every use of
/// it throws, and so does every use of a tensor taken from its <see cref="Data"/> or <see cref="Grad"/>.
/// Leaves and values computed under <see cref="Tape.NoGrad"/> are never released.
/// </remarks>
public sealed partial class Var<T> : IVar
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // A handle: the state is pooled for values on the tape, so the handle remembers the state's generation
    // (a stale handle sees a newer generation) and, for messages, which op made it.
    private readonly VarState<T> _state;
    private readonly int _generation;
    private readonly string? _producer;
    private readonly int _position;

    internal Var(VarState<T> state, string? producer, int position)
    {
        _state = state;
        _generation = state.Generation;
        _producer = producer;
        _position = position;
    }

    /// <summary>A trainable leaf: gradients accumulate into <see cref="Grad"/> across backward passes
    /// until <see cref="ZeroGrad"/>.</summary>
    public static Var<T> Parameter(Tensor<T> data, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Var<T>(VarState<T>.Owned(data, requiresGrad: true, name), null, -1);
    }

    /// <summary>A leaf no gradient flows to (inputs, targets, masks).</summary>
    public static Var<T> Constant(Tensor<T> data, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Var<T>(VarState<T>.Owned(data, requiresGrad: false, name), null, -1);
    }

    /// <summary>The value. For a value on the tape, the tensor is valid until the tape is released (the
    /// next forward pass after a backward); <see cref="Tensor{T}.Clone"/> it to keep it longer.</summary>
    /// <exception cref="InvalidOperationException">The value belongs to a released tape generation.</exception>
    public Tensor<T> Data
    {
        get
        {
            var data = Live("Data").Data;
            data.MarkEscaped();
            return data;
        }
    }

    /// <summary>
    /// The gradient: for a leaf, the sum over backward passes since the last <see cref="ZeroGrad"/>;
    /// for an intermediate, the last pass's gradient when <see cref="RetainGrad"/> was called (valid until
    /// the tape is released, like <see cref="Data"/>), else null. A leaf's gradient can be set (PyTorch's
    /// <c>x.grad = t</c>): later backward passes accumulate into the tensor given, which the caller keeps
    /// owning (the tape never pools it); null lets the next pass allocate one again.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a value an op produced.</exception>
    /// <exception cref="ArgumentException">Set to a tensor whose shape is not the value's.</exception>
    public Tensor<T>? Grad
    {
        get
        {
            var s = Live("Grad");
            var g = s.IsLeaf ? s.LeafGrad() : s.RetainedGrad;
            g?.MarkEscaped();
            return g;
        }

        set
        {
            var s = Live("Grad");
            if (!s.IsLeaf)
            {
                throw new InvalidOperationException($"Grad: {Describe()} was produced by an op; only a leaf's gradient can be set.");
            }

            if (value is not null && value.Shape != s.Data.Shape)
            {
                throw new ArgumentException($"Grad: a gradient of shape {value.Shape} for {Describe()} of shape {s.Data.Shape}.", nameof(value));
            }

            s.SetLeafGrad(value);
        }
    }

    /// <summary>The op that produced this value, or null for a leaf.</summary>
    public Node? Creator
    {
        get
        {
            var node = Live("Creator").Creator;
            node?.MarkEscaped();
            return node;
        }
    }

    /// <inheritdoc />
    public bool IsLeaf => Live("IsLeaf").IsLeaf;

    /// <summary>True when gradients flow to this value. Settable on leaves only (freezing a parameter,
    /// PyTorch's requires_grad_); an op's output requires grad exactly when one of its inputs does.</summary>
    /// <exception cref="InvalidOperationException">Set on a value an op produced.</exception>
    public bool RequiresGrad
    {
        get => Live("RequiresGrad").RequiresGrad;
        set
        {
            var s = Live("RequiresGrad");
            if (!s.IsLeaf)
            {
                throw new InvalidOperationException($"RequiresGrad: {Describe()} was produced by an op; only leaves can be frozen or unfrozen (use Detach()).");
            }

            s.RequiresGrad = value;
        }
    }

    /// <inheritdoc />
    public string? Name
    {
        get => Live("Name").Name;
        set => Live("Name").Name = value;
    }

    /// <inheritdoc />
    public Shape Shape => Live("Shape").Data.Shape;

    /// <summary>The value of a one-element Var.</summary>
    public T Item() => Live("Item").Data.Item();

    /// <summary>The value's tensor for the engine's own use: unchecked (ops check their inputs once in
    /// <see cref="Tape.ForOp{T}"/>) and not counted as handed out, so the tape may reuse the object.</summary>
    internal Tensor<T> Value => _state.Data;

    /// <summary>Asks an intermediate value to keep its gradient after backward (PyTorch's retain_grad).</summary>
    public Var<T> RetainGrad()
    {
        Live("RetainGrad").RetainGrad();
        return this;
    }

    /// <summary>
    /// A value sharing this value's storage with no creator: gradients stop here. Without
    /// <paramref name="requiresGrad"/> it is a constant; with it, a leaf that gradients reach and stop at
    /// (PyTorch's <c>x.detach().requires_grad_()</c>), accumulating into its <see cref="Grad"/> over backward
    /// passes until <see cref="ZeroGrad"/>: the way to take gradients with respect to an intermediate
    /// representation and push a chosen gradient on through what produced it (<c>Backward(seed)</c> on this
    /// value). A detached value of the tape is released with the tape, like the value itself, and its
    /// gradient buffer comes from the tape's pool.
    /// </summary>
    public Var<T> Detach(bool requiresGrad = false)
    {
        var s = Live("Detach");
        return s.Tape is { } tape
            ? tape.NewValue(s.Data, creator: null, requiresGrad, s.Name, _producer, _position)
            : new Var<T>(VarState<T>.Owned(s.Data, requiresGrad, s.Name), null, -1);
    }

    /// <summary>Sets a leaf's accumulated gradient to zero, keeping its buffer, so nothing is allocated.</summary>
    /// <remarks>
    /// The clearing is deferred: the buffer is zeroed when the gradient is next read or added to, and
    /// the first op of a backward pass that writes the whole gradient (a linear layer's dW = dyᵀ·x)
    /// overwrites it instead, which saves both the clearing pass and a read of the old values.
    /// <see cref="Grad"/> reads as zeros in between, as with PyTorch's <c>zero_grad(set_to_none=False)</c>.
    /// </remarks>
    public void ZeroGrad() => Live("ZeroGrad").ZeroGrad();

    /// <summary>
    /// Registers a hook called with this value's complete gradient of each backward pass before it flows
    /// further back (for a leaf: before it is added to <see cref="Grad"/>). The hook may return a
    /// replacement gradient of the same shape, or null to keep it. Dispose the result to remove it.
    /// </summary>
    public IDisposable RegisterHook(Func<Tensor<T>, Tensor<T>?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var s = Live("RegisterHook");
        if (!s.RequiresGrad)
        {
            throw new InvalidOperationException($"RegisterHook: {Describe()} does not require grad, so it never receives a gradient.");
        }

        var h = new GradientHook<T>(s, hook);
        s.AddHook(h);
        return h;
    }

    /// <summary>
    /// Computes the gradient of this value with respect to every leaf that requires grad, accumulating
    /// into their <see cref="Grad"/>. A non-scalar value needs a <paramref name="seed"/> gradient of its
    /// own shape (the vector in the vector-Jacobian product). With <paramref name="retainGraph"/> the
    /// tape stays usable for further backward passes over the same forward pass.
    /// </summary>
    /// <exception cref="InvalidOperationException">The value does not require grad, the tape was already
    /// released, or a non-scalar has no seed.</exception>
    /// <exception cref="ArgumentException">The seed's shape differs from the value's.</exception>
    public void Backward(Tensor<T>? seed = null, bool retainGraph = false)
    {
        var s = Live("Backward");
        if (!s.RequiresGrad)
        {
            throw new InvalidOperationException($"Backward: {Describe()} does not require grad; no parameter contributed to it.");
        }

        var shape = s.Data.Shape;
        if (seed is null && shape.Length != 1)
        {
            throw new InvalidOperationException($"Backward: {Describe()} is not a scalar; pass a seed gradient of shape {shape}.");
        }

        if (seed is not null && seed.Shape != shape)
        {
            throw new ArgumentException($"Backward: the seed has shape {seed.Shape} but the value has shape {shape}.", nameof(seed));
        }

        var tape = s.Tape ?? Tape.Current;
        tape.BeginPass("Backward");
        var sink = s.GradSink(out _, clearFresh: true)!;
        if (seed is null)
        {
            sink.Span.Fill(T.One);
        }
        else
        {
            TensorPrimitives.Add(sink.ReadOnlySpan, seed.ReadOnlySpan, sink.Span);
        }

        if (s.Creator is { } root)
        {
            tape.RunBackward(root, retainGraph);
        }
        else
        {
            tape.FinishPass(retainGraph);
        }

        foreach (var node in tape.RecordedNodes)
        {
            if (node.Output is Var<T> v)
            {
                v._state.LastBackwardPass = tape.Pass;
            }
        }
    }

    /// <summary>
    /// The buffer this pass's gradient of this value accumulates into, zeroed when first touched in the
    /// pass; null when no gradient flows here. Ops' backward rules add into it.
    /// </summary>
    internal Tensor<T>? GradSink() => _state.GradSink(out _, clearFresh: true);

    /// <summary>
    /// Like <see cref="GradSink()"/>, but a buffer that holds nothing yet (an intermediate touched for the
    /// first time in this pass, or a leaf after <see cref="ZeroGrad"/>) is left uncleared and reported as
    /// <paramref name="fresh"/>: the caller then must overwrite all of it (a GEMM with accumulate: false),
    /// which saves a clearing pass and the read of C. Otherwise the caller adds into it as usual (leaf
    /// gradients sum over backward passes until ZeroGrad).
    /// </summary>
    internal Tensor<T>? GradSinkForOverwrite(out bool fresh) => _state.GradSink(out fresh, clearFresh: false);

    /// <summary>This pass's gradient of an intermediate, or null when none reached it.</summary>
    internal Tensor<T>? PassGrad => _state.PassGrad;

    /// <summary>The buffer this pass's gradient went into (for anomaly checks), or null.</summary>
    internal Tensor<T>? GradForCheck => _state.GradForCheck;

    /// <summary>Applies the hooks to this pass's gradient, in registration order.</summary>
    internal void RunHooks() => _state.RunHooks(this);

    /// <summary>Throws if this value belongs to a released generation or another thread's tape.</summary>
    internal void CheckUsable(string op, Tape current)
    {
        var s = Live(op);
        if (s.Tape is not null && !ReferenceEquals(s.Tape, current))
        {
            throw new InvalidOperationException($"{op}: {Describe()} was recorded on another thread's tape. Tapes are per thread; pass parameters, not intermediate values, between threads.");
        }
    }

    /// <summary>True while the value's generation has not been released.</summary>
    internal bool IsAlive => _state.Generation == _generation;

    /// <summary>The state, after checking that this handle's generation is still live.</summary>
    private VarState<T> Live(string op)
    {
        if (_state.Generation != _generation)
        {
            throw new InvalidOperationException($"{op}: {Describe()} belongs to a tape generation that was released (after a backward pass or Release()); recompute it in a new forward pass, or Clone() its Data before the next forward pass to keep the values.");
        }

        return _state;
    }

    /// <summary>A short description for messages: name or producing op, and shape.</summary>
    internal string Describe()
    {
        if (!IsAlive)
        {
            return _producer is null ? "a detached value" : $"the output of {_producer} ({Where()})";
        }

        var s = _state;
        string what = s.Name is not null ? $"'{s.Name}'" : s.Creator is not null ? $"the output of {s.Creator.OpName} (#{s.Creator.Index})" : "a leaf";
        return $"{what} of shape {s.Data.Shape}";
    }

    private string Where() => _position >= 0 ? $"#{_position}" : "not recorded";

    /// <inheritdoc />
    public TensorStats ValueStats() => TensorStats.Of(Live("ValueStats").Data);

    /// <inheritdoc />
    public TensorStats? GradStats() => Live("GradStats").GradForStats is { } g ? TensorStats.Of(g) : null;

    /// <inheritdoc />
    public override string ToString() =>
        IsAlive ? $"Var({Describe()}{(_state.RequiresGrad ? ", requires grad" : string.Empty)})" : $"Var({Describe()}, released)";
}
