using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// What a <see cref="Var{T}"/> handle refers to: the value, where its gradient accumulates, and its hooks.
/// A leaf's state lives as long as its handles. The state of a value an op produced on the tape is pooled
/// per thread and recycled when the tape is released; recycling bumps <see cref="Generation"/>, so every
/// handle to the old value throws instead of reading the new one.
/// </summary>
internal sealed class VarState<T> : Tape.IHookedLeaf, Tape.IRecyclable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic]
    private static Stack<VarState<T>>? _pool;

    private Tensor<T>? _grad;
    private bool _gradZeroPending;
    private Tensor<T>? _passGrad;
    private int _gradPass = -1;
    private bool _retainGrad;
    private List<GradientHook<T>>? _hooks;

    /// <summary>The value.</summary>
    public Tensor<T> Data { get; private set; } = null!;

    /// <summary>The tape that owns this value (null for leaves and no-grad results, which outlive tapes).</summary>
    public Tape? Tape { get; private set; }

    /// <summary>The op that produced the value, or null for a leaf or a constant.</summary>
    public Node<T>? Creator { get; private set; }

    /// <summary>True when gradients flow to this value.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>The user's name for the value.</summary>
    public string? Name { get; set; }

    /// <summary>Incremented each time the pooled state is recycled; handles remember the one they were made in.</summary>
    public int Generation { get; private set; }

    /// <summary>The last backward pass that ran over this value's op (for <see cref="RetainedGrad"/>).</summary>
    public int LastBackwardPass { get; set; } = -1;

    /// <summary>True when no op produced the value.</summary>
    public bool IsLeaf => Creator is null;

    /// <summary>A state that lives as long as its handles: a leaf, or a result computed under no-grad.</summary>
    public static VarState<T> Owned(Tensor<T> data, bool requiresGrad, string? name) =>
        new() { Data = data, RequiresGrad = requiresGrad, Name = name };

    /// <summary>A pooled state for a value of <paramref name="tape"/>'s live generation.</summary>
    public static VarState<T> Rent(Tensor<T> data, Tape tape, Node<T>? creator, bool requiresGrad, string? name)
    {
        var s = _pool is { Count: > 0 } pool ? pool.Pop() : new VarState<T>();
        s.Data = data;
        s.Tape = tape;
        s.Creator = creator;
        s.RequiresGrad = requiresGrad;
        s.Name = name;
        return s;
    }

    /// <inheritdoc />
    void Tape.IRecyclable.Recycle()
    {
        Generation++;
        Data = null!;
        Tape = null;
        Creator = null;
        Name = null;
        _grad = null;
        _passGrad = null;
        _gradZeroPending = false;
        _gradPass = -1;
        LastBackwardPass = -1;
        _retainGrad = false;
        _hooks?.Clear();
        (_pool ??= new Stack<VarState<T>>()).Push(this);
    }

    /// <summary>An intermediate's gradient of the last backward pass, when <see cref="RetainGrad"/> was asked.</summary>
    public Tensor<T>? RetainedGrad => _retainGrad && Tape is not null && _gradPass == LastBackwardPass ? _grad : null;

    /// <summary>Asks an intermediate to keep its gradient after backward.</summary>
    public void RetainGrad() => _retainGrad = true;

    /// <summary>Sets a leaf's accumulated gradient to zero lazily (see <see cref="Var{T}.ZeroGrad"/>).</summary>
    public void ZeroGrad()
    {
        if (IsLeaf)
        {
            _gradZeroPending = _grad is not null;
        }
        else
        {
            _grad?.Clear();
        }
    }

    /// <summary>A leaf's accumulated gradient, first carrying out a deferred <see cref="ZeroGrad"/>.</summary>
    public Tensor<T>? LeafGrad()
    {
        if (_gradZeroPending)
        {
            _grad!.Clear();
            _gradZeroPending = false;
        }

        return _grad;
    }

    /// <summary>Makes <paramref name="grad"/> the leaf's accumulated gradient, as it is (no deferred zeroing).</summary>
    public void SetLeafGrad(Tensor<T>? grad)
    {
        _grad = grad;
        _gradZeroPending = false;
    }

    public void AddHook(GradientHook<T> hook) => (_hooks ??= []).Add(hook);

    public void RemoveHook(GradientHook<T> hook) => _hooks?.Remove(hook);

    /// <summary>
    /// The buffer this pass's gradient of the value goes into, or null when no gradient flows here; see
    /// <see cref="Var{T}.GradSinkForOverwrite"/> for <paramref name="clearFresh"/> and <paramref name="fresh"/>.
    /// </summary>
    public Tensor<T>? GradSink(out bool fresh, bool clearFresh)
    {
        fresh = false;
        if (!RequiresGrad)
        {
            return null;
        }

        if (IsLeaf)
        {
            return LeafGradSink(out fresh, clearFresh);
        }

        var owner = Tape!;
        if (_gradPass != owner.Pass)
        {
            if (_grad is null)
            {
                _grad = owner.NewTensor<T>(Data.Shape, clear: clearFresh);
                if (_grad.IsLeased)
                {
                    _grad.SetOrigin(Creator!.OpName, Creator.Index, TensorRole.Gradient);
                }
            }
            else if (clearFresh)
            {
                _grad.Clear();
            }

            _gradPass = owner.Pass;
            fresh = !clearFresh;
        }

        return _grad;
    }

    private Tensor<T>? LeafGradSink(out bool fresh, bool clearFresh)
    {
        fresh = false;
        if (_hooks is { Count: > 0 })
        {
            var tape = Tape.Current;
            if (_gradPass != tape.Pass)
            {
                // Each pass's gradient is a value of the tape (the hooks may keep it): a new one per pass,
                // released with the tape, rather than one buffer overwritten by the next pass.
                _passGrad = tape.NewTensor<T>(Data.Shape, clear: true);
                if (_passGrad.IsLeased)
                {
                    _passGrad.SetOrigin(Name, -1, TensorRole.LeafGradient);
                }

                _gradPass = tape.Pass;
                tape.RegisterHookedLeaf(this);
            }

            return _passGrad;
        }

        if (_grad is null)
        {
            // A leaf of the tape (a detached value that requires grad) takes its gradient from the tape's pool,
            // and gives it back with the tape; a parameter's lives with it.
            _grad = Tape is { } owner ? owner.NewTensor<T>(Data.Shape, clear: clearFresh) : new Tensor<T>(Data.Shape);
            if (_grad.IsLeased)
            {
                _grad.SetOrigin(Name, -1, TensorRole.LeafGradient);
            }

            fresh = !clearFresh;
        }
        else if (_gradZeroPending)
        {
            if (clearFresh)
            {
                _grad.Clear();
            }

            _gradZeroPending = false;
            fresh = !clearFresh;
        }

        return _grad;
    }

    /// <summary>This pass's gradient of an intermediate, or null when none reached it.</summary>
    public Tensor<T>? PassGrad => !IsLeaf && Tape is not null && _gradPass == Tape.Pass ? _grad : null;

    /// <summary>The buffer this pass's gradient went into (for anomaly checks), or null.</summary>
    public Tensor<T>? GradForCheck => IsLeaf ? (_hooks is { Count: > 0 } ? _passGrad : LeafGrad()) : PassGrad;

    /// <summary>The gradient from the last backward pass, for inspection, or null.</summary>
    public Tensor<T>? GradForStats => IsLeaf ? LeafGrad() : (Tape is not null && _gradPass == LastBackwardPass ? _grad : null);

    /// <summary>Applies the hooks to this pass's gradient, in registration order. The hooks see the
    /// gradient tensor itself, so it counts as handed out (it is released, not reused, with the tape).</summary>
    public void RunHooks(Var<T>? owner)
    {
        if (_hooks is not { Count: > 0 })
        {
            return;
        }

        var g = IsLeaf ? _passGrad : PassGrad;
        if (g is null)
        {
            return;
        }

        g.MarkEscaped();
        foreach (var h in _hooks.ToArray())
        {
            var replacement = h.Invoke(g);
            if (replacement is not null && !ReferenceEquals(replacement, g))
            {
                if (replacement.Shape != Data.Shape)
                {
                    string what = owner?.Describe() ?? (Name is null ? "a leaf" : $"'{Name}'");
                    throw new InvalidOperationException($"Gradient hook on {what}: returned shape {replacement.Shape}, expected {Data.Shape}.");
                }

                replacement.ReadOnlySpan.CopyTo(g.Span);
            }
        }
    }

    /// <inheritdoc />
    void Tape.IHookedLeaf.FlushPassGradient()
    {
        RunHooks(null);
        var grad = LeafGrad() ?? (_grad = new Tensor<T>(Data.Shape));
        TensorPrimitives.Add(grad.ReadOnlySpan, _passGrad!.ReadOnlySpan, grad.Span);
    }
}
