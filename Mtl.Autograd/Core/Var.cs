using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// A differentiable value: a tensor, its gradient, whether gradients flow to it, and an optional name.
/// Leaves are made with <see cref="Parameter"/> (trainable, named) or <see cref="Constant"/> (inputs);
/// every op on them returns a new <see cref="Var{T}"/> recorded on the thread's <see cref="Tape"/>.
/// </summary>
public sealed partial class Var<T> : IVar, Tape.IHookedLeaf
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T> _data;
    private readonly Tape? _tape;
    private readonly int _generation;
    private Tensor<T>? _grad;
    private bool _gradZeroPending;
    private Tensor<T>? _passGrad;
    private int _gradPass = -1;
    private int _lastBackwardPass = -1;
    private bool _retainGrad;
    private List<GradientHook<T>>? _hooks;

    internal Var(Tensor<T> data, bool requiresGrad, Node<T>? creator, Tape? tape, int generation, string? name)
    {
        _data = data;
        Creator = creator;
        _requiresGrad = requiresGrad;
        _tape = tape;
        _generation = generation;
        Name = name;
    }

    /// <summary>A trainable leaf: gradients accumulate into <see cref="Grad"/> across backward passes
    /// until <see cref="ZeroGrad"/>.</summary>
    public static Var<T> Parameter(Tensor<T> data, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Var<T>(data, requiresGrad: true, creator: null, tape: null, generation: 0, name);
    }

    /// <summary>A leaf no gradient flows to (inputs, targets, masks).</summary>
    public static Var<T> Constant(Tensor<T> data, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Var<T>(data, requiresGrad: false, creator: null, tape: null, generation: 0, name);
    }

    /// <summary>The value. Throws if the value belongs to a released tape generation.</summary>
    public Tensor<T> Data
    {
        get
        {
            CheckAlive("Data");
            return _data;
        }
    }

    /// <summary>
    /// The gradient: for a leaf, the sum over backward passes since the last <see cref="ZeroGrad"/>;
    /// for an intermediate, the last pass's gradient when <see cref="RetainGrad"/> was called, else null.
    /// </summary>
    public Tensor<T>? Grad
    {
        get
        {
            CheckAlive("Grad");
            if (IsLeaf)
            {
                return LeafGrad();
            }

            return _retainGrad && _tape is not null && _gradPass == _lastBackwardPass ? _grad : null;
        }
    }

    /// <summary>The op that produced this value, or null for a leaf.</summary>
    public Node? Creator { get; }

    /// <inheritdoc />
    public bool IsLeaf => Creator is null;

    private bool _requiresGrad;

    /// <summary>True when gradients flow to this value. Settable on leaves only (freezing a parameter,
    /// PyTorch's requires_grad_); an op's output requires grad exactly when one of its inputs does.</summary>
    /// <exception cref="InvalidOperationException">Set on a value an op produced.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf)
            {
                throw new InvalidOperationException($"RequiresGrad: {Describe()} was produced by an op; only leaves can be frozen or unfrozen (use Detach()).");
            }

            _requiresGrad = value;
        }
    }

    /// <inheritdoc />
    public string? Name { get; set; }

    /// <inheritdoc />
    public Shape Shape => _data.Shape;

    /// <summary>The value of a one-element Var.</summary>
    public T Item() => Data.Item();

    /// <summary>Asks an intermediate value to keep its gradient after backward (PyTorch's retain_grad).</summary>
    public Var<T> RetainGrad()
    {
        _retainGrad = true;
        return this;
    }

    /// <summary>A constant sharing this value's storage: gradients stop here.</summary>
    public Var<T> Detach() => new(Data, requiresGrad: false, creator: null, tape: _tape, generation: _generation, name: Name);

    /// <summary>Sets a leaf's accumulated gradient to zero, keeping its buffer, so nothing is allocated.</summary>
    /// <remarks>
    /// The clearing is deferred: the buffer is zeroed when the gradient is next read or added to, and
    /// the first op of a backward pass that writes the whole gradient (a linear layer's dW = dyᵀ·x)
    /// overwrites it instead, which saves both the clearing pass and a read of the old values.
    /// <see cref="Grad"/> reads as zeros in between, as with PyTorch's <c>zero_grad(set_to_none=False)</c>.
    /// </remarks>
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
    private Tensor<T>? LeafGrad()
    {
        if (_gradZeroPending)
        {
            _grad!.Clear();
            _gradZeroPending = false;
        }

        return _grad;
    }

    /// <summary>
    /// Registers a hook called with this value's complete gradient of each backward pass before it flows
    /// further back (for a leaf: before it is added to <see cref="Grad"/>). The hook may return a
    /// replacement gradient of the same shape, or null to keep it. Dispose the result to remove it.
    /// </summary>
    public IDisposable RegisterHook(Func<Tensor<T>, Tensor<T>?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!RequiresGrad)
        {
            throw new InvalidOperationException($"RegisterHook: {Describe()} does not require grad, so it never receives a gradient.");
        }

        var h = new GradientHook<T>(this, hook);
        (_hooks ??= []).Add(h);
        return h;
    }

    internal void RemoveHook(GradientHook<T> hook) => _hooks?.Remove(hook);

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
        CheckAlive("Backward");
        if (!RequiresGrad)
        {
            throw new InvalidOperationException($"Backward: {Describe()} does not require grad; no parameter contributed to it.");
        }

        if (seed is null && Shape.Length != 1)
        {
            throw new InvalidOperationException($"Backward: {Describe()} is not a scalar; pass a seed gradient of shape {Shape}.");
        }

        if (seed is not null && seed.Shape != Shape)
        {
            throw new ArgumentException($"Backward: the seed has shape {seed.Shape} but the value has shape {Shape}.", nameof(seed));
        }

        var tape = _tape ?? Tape.Current;
        tape.BeginPass("Backward");
        var sink = GradSink()!;
        if (seed is null)
        {
            sink.Span.Fill(T.One);
        }
        else
        {
            TensorPrimitives.Add(sink.ReadOnlySpan, seed.ReadOnlySpan, sink.Span);
        }

        if (Creator is Node root)
        {
            tape.RunBackward(root, retainGraph);
        }
        else
        {
            tape.FinishPass(retainGraph);
        }

        foreach (var node in tape.Nodes)
        {
            if (node.Output is Var<T> v)
            {
                v._lastBackwardPass = tape.Pass;
            }
        }
    }

    /// <summary>
    /// The buffer this pass's gradient of this value accumulates into, zeroed when first touched in the
    /// pass; null when no gradient flows here. Ops' backward rules add into it.
    /// </summary>
    internal Tensor<T>? GradSink() => GradSink(out _, clearFresh: true);

    /// <summary>
    /// Like <see cref="GradSink()"/>, but a buffer that holds nothing yet (an intermediate touched for the
    /// first time in this pass, or a leaf after <see cref="ZeroGrad"/>) is left uncleared and reported as
    /// <paramref name="fresh"/>: the caller then must overwrite all of it (a GEMM with accumulate: false),
    /// which saves a clearing pass and the read of C. Otherwise the caller adds into it as usual (leaf
    /// gradients sum over backward passes until ZeroGrad).
    /// </summary>
    internal Tensor<T>? GradSinkForOverwrite(out bool fresh) => GradSink(out fresh, clearFresh: false);

    private Tensor<T>? GradSink(out bool fresh, bool clearFresh)
    {
        fresh = false;
        if (!RequiresGrad)
        {
            return null;
        }

        if (IsLeaf)
        {
            if (_hooks is { Count: > 0 })
            {
                var tape = Tape.Current;
                if (_gradPass != tape.Pass)
                {
                    _passGrad ??= new Tensor<T>(Shape);
                    _passGrad.Clear();
                    _gradPass = tape.Pass;
                    tape.RegisterHookedLeaf(this);
                }

                return _passGrad;
            }

            if (_grad is null)
            {
                _grad = new Tensor<T>(Shape);
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

        var owner = _tape!;
        if (_gradPass != owner.Pass)
        {
            if (_grad is null)
            {
                _grad = owner.NewTensor<T>(Shape, clear: clearFresh);
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

    /// <summary>This pass's gradient of an intermediate, or null when none reached it.</summary>
    internal Tensor<T>? PassGrad => !IsLeaf && _tape is not null && _gradPass == _tape.Pass ? _grad : null;

    /// <summary>The buffer this pass's gradient went into (for anomaly checks), or null.</summary>
    internal Tensor<T>? GradForCheck => IsLeaf ? (_hooks is { Count: > 0 } ? _passGrad : LeafGrad()) : PassGrad;

    /// <summary>Applies the hooks to this pass's gradient, in registration order.</summary>
    internal void RunHooks()
    {
        var g = IsLeaf ? _passGrad : PassGrad;
        if (_hooks is not { Count: > 0 } || g is null)
        {
            return;
        }

        foreach (var h in _hooks.ToArray())
        {
            var replacement = h.Invoke(g);
            if (replacement is not null && !ReferenceEquals(replacement, g))
            {
                if (replacement.Shape != Shape)
                {
                    throw new InvalidOperationException($"Gradient hook on {Describe()}: returned shape {replacement.Shape}, expected {Shape}.");
                }

                replacement.ReadOnlySpan.CopyTo(g.Span);
            }
        }
    }

    /// <inheritdoc />
    void Tape.IHookedLeaf.FlushPassGradient()
    {
        RunHooks();
        var grad = LeafGrad() ?? (_grad = new Tensor<T>(Shape));
        TensorPrimitives.Add(grad.ReadOnlySpan, _passGrad!.ReadOnlySpan, grad.Span);
    }

    /// <summary>Throws if this value belongs to a released generation or another thread's tape.</summary>
    internal void CheckUsable(string op, Tape current)
    {
        CheckAlive(op);
        if (_tape is not null && !ReferenceEquals(_tape, current))
        {
            throw new InvalidOperationException($"{op}: {Describe()} was recorded on another thread's tape. Tapes are per thread; pass parameters, not intermediate values, between threads.");
        }
    }

    private void CheckAlive(string op)
    {
        if (_tape is not null && _tape.Generation != _generation)
        {
            throw new InvalidOperationException($"{op}: {Describe()} belongs to a tape generation that was released (after a backward pass or Release()); recompute it in a new forward pass.");
        }
    }

    /// <summary>A short description for messages: name or producing op, and shape.</summary>
    internal string Describe()
    {
        string what = Name is not null ? $"'{Name}'" : Creator is not null ? $"the output of {Creator.OpName} (#{Creator.Index})" : "a leaf";
        return $"{what} of shape {_data.Shape}";
    }

    /// <inheritdoc />
    public TensorStats ValueStats() => TensorStats.Of(_data);

    /// <inheritdoc />
    public TensorStats? GradStats()
    {
        var g = IsLeaf ? LeafGrad() : (_tape is not null && _gradPass == _lastBackwardPass ? _grad : null);
        return g is null ? null : TensorStats.Of(g);
    }

    /// <inheritdoc />
    public override string ToString() => $"Var({Describe()}{(RequiresGrad ? ", requires grad" : string.Empty)})";
}
