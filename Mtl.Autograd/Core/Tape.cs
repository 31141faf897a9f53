using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>
/// The record of operations, in execution order, that <see cref="Var{T}.Backward"/> walks in reverse
/// (execution order is already a topological order).
/// </summary>
/// <remarks>
/// <para><b>One tape per thread.</b> Ops record on <see cref="Current"/>, the calling thread's tape.
/// Parameters (leaves) may be shared between threads, but a value an op produced belongs to the tape of
/// the thread that produced it: using it on another thread throws instead of corrupting either tape.</para>
/// <para><b>Lifetime.</b> Every intermediate value and gradient is leased from <see cref="TensorPool{T}"/>,
/// and the op nodes and value states are pooled too. A backward without <c>retainGraph</c> consumes the
/// tape; the next op recorded afterwards (the next forward pass) releases the consumed generation,
/// returning all of it to the pools, so a repeated training step allocates nothing but the
/// <see cref="Var{T}"/> handles it returns. Values of a released generation throw when touched, and so do
/// tensors taken from them (<see cref="Var{T}.Data"/>, <see cref="Var{T}.Grad"/>, views of those): a
/// handed-out object is never reused for another value. After backward passes with
/// <c>retainGraph: true</c>, call <see cref="Release"/> when done.</para>
/// </remarks>
public sealed partial class Tape
{
    [ThreadStatic]
    private static Tape? _current;

    private readonly List<Node> _nodes = [];
    private readonly List<IRecyclable> _values = [];
    private readonly List<ILeasedTensor> _rented = [];
    private readonly List<IHookedLeaf> _hookedLeaves = [];
    private readonly List<int[]> _rentedIndices = [];
    private readonly int _ownerThread = Environment.CurrentManagedThreadId;
    private int _noGradDepth;
    private int _anomalyDepth;

    private Tape()
    {
    }

    /// <summary>The calling thread's tape.</summary>
    public static Tape Current => _current ??= new Tape();

    /// <summary>A snapshot of the recorded ops of the live generation, in execution order. The nodes are
    /// kept as they are when the tape is released (their values then throw when used).</summary>
    public IReadOnlyList<Node> Nodes
    {
        get
        {
            foreach (var node in _nodes)
            {
                node.MarkEscaped();
            }

            return [.. _nodes];
        }
    }

    /// <summary>The recorded ops for the engine's own walks (not handed out, so they stay poolable).</summary>
    internal List<Node> RecordedNodes => _nodes;

    /// <summary>Incremented on each release; values remember the generation they were made in.</summary>
    public int Generation { get; private set; }

    /// <summary>True after a backward without retainGraph: the graph can no longer be differentiated.</summary>
    public bool IsConsumed { get; private set; }

    /// <summary>False inside a <see cref="NoGrad"/> scope.</summary>
    public bool IsRecording => _noGradDepth == 0;

    /// <summary>True inside a <see cref="DetectAnomaly"/> scope.</summary>
    public bool IsDetectingAnomalies => _anomalyDepth > 0;

    /// <summary>Counts backward passes, so intermediate gradients from an earlier pass are never mixed in.</summary>
    internal int Pass { get; private set; }

    /// <summary>
    /// A scope in which ops record nothing and their results are ordinary tensors that outlive the tape
    /// (evaluation, optimizer updates): <c>using (Tape.NoGrad()) { ... }</c>.
    /// </summary>
    public static Scope NoGrad()
    {
        var tape = Current;
        tape._noGradDepth++;
        return new Scope(tape, static t => t._noGradDepth--);
    }

    /// <summary>
    /// A scope in which the first op whose output, or whose inputs' gradients, hold a NaN or infinity
    /// throws <see cref="AnomalyException"/> naming the op, its tape position and its inputs' statistics.
    /// </summary>
    public static Scope DetectAnomaly()
    {
        var tape = Current;
        tape._anomalyDepth++;
        return new Scope(tape, static t => t._anomalyDepth--);
    }

    /// <summary>Returns every buffer, node and value state of the live generation to the pools and starts
    /// a new, empty generation. Values of the released generation, and tensors taken from them, throw when used.</summary>
    public void Release()
    {
        RequireOwnerThread("Release");
        foreach (var node in _nodes)
        {
            if (!node.Escaped)
            {
                node.Recycle();
            }
        }

        foreach (var v in _values)
        {
            v.Recycle();
        }

        _values.Clear();
        foreach (var t in _rented)
        {
            t.Release();
        }

        _rented.Clear();
        foreach (var a in _rentedIndices)
        {
            System.Buffers.ArrayPool<int>.Shared.Return(a);
        }

        _rentedIndices.Clear();
        _nodes.Clear();
        _hookedLeaves.Clear();
        Generation++;
        IsConsumed = false;
    }

    /// <summary>The tape an op on these inputs records on: the thread's tape, after checking that no input
    /// belongs to another thread or a released generation, and releasing a consumed generation first.</summary>
    internal static Tape ForOp<T>(string op, Var<T> a, Var<T>? b = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tape = Current;
        if (tape.IsConsumed && tape.IsRecording)
        {
            tape.Release();
        }

        a.CheckUsable(op, tape);
        b?.CheckUsable(op, tape);
        return tape;
    }

    /// <summary>
    /// <paramref name="tensor"/> as a constant input of an op (the Var-with-Tensor operators): while recording,
    /// a value of the live generation on a pooled state (so a loss's target costs no leaf per batch), after
    /// first releasing a consumed generation as the op itself would; under no-grad, an ordinary constant.
    /// </summary>
    internal static Var<T> ConstantOf<T>(Tensor<T> tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var tape = Current;
        if (!tape.IsRecording)
        {
            return Var<T>.Constant(tensor);
        }

        if (tape.IsConsumed)
        {
            tape.Release();
        }

        return tape.NewValue(tensor, creator: null, requiresGrad: false, name: null, producer: null, position: -1);
    }

    /// <summary>A tensor for an op's output or saved state: pooled and owned by this generation while
    /// recording, an ordinary allocation under no-grad (so evaluation results outlive the tape).</summary>
    internal Tensor<T> NewTensor<T>(Shape shape, bool clear = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsRecording)
        {
            return new Tensor<T>(shape);
        }

        var t = TensorPool<T>.Lease(shape, clear);
        _rented.Add(t);
        return t;
    }

    /// <summary>A view of <paramref name="source"/> in <paramref name="shape"/> (an op's reshaped output or a
    /// broadcast view in backward): pooled and owned by this generation while recording, an ordinary view
    /// under no-grad (released with its source if that is leased).</summary>
    internal Tensor<T> NewView<T>(Tensor<T> source, Shape shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!IsRecording)
        {
            return source.Reshape(shape);
        }

        var t = TensorPool<T>.LeaseView(source, shape);
        _rented.Add(t);
        return t;
    }

    /// <summary>A handle to a new value of this generation, on a pooled state.</summary>
    internal Var<T> NewValue<T>(Tensor<T> data, Node<T>? creator, bool requiresGrad, string? name, string? producer, int position)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var state = VarState<T>.Rent(data, this, creator, requiresGrad, name);
        _values.Add(state);
        return new Var<T>(state, producer, position);
    }

    /// <summary>A copy of <paramref name="indices"/> an op keeps for its backward (class labels, gathered rows):
    /// pooled while recording, so a repeated step allocates nothing; the array may be longer than the span.</summary>
    internal int[] KeepIndices(ReadOnlySpan<int> indices)
    {
        int[] copy;
        if (IsRecording)
        {
            copy = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(indices.Length, 1));
            _rentedIndices.Add(copy);
        }
        else
        {
            copy = new int[indices.Length];
        }

        indices.CopyTo(copy);
        return copy;
    }

    /// <summary>Wraps an op's output. When recording and some input requires grad, the node goes on the
    /// tape and the output requires grad; otherwise the node goes back to its pool and the output is a
    /// constant (of this generation while recording; one that outlives the tape under no-grad).</summary>
    internal Var<T> Record<T>(Node<T> node, Tensor<T> output, bool anyInputRequiresGrad)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string op = node.OpName;
        if (!IsRecording || !anyInputRequiresGrad)
        {
            node.Recycle();
            if (!IsRecording)
            {
                return new Var<T>(VarState<T>.Owned(output, requiresGrad: false, name: null), op, -1);
            }

            if (output.IsLeased)
            {
                output.SetOrigin(op, -1, TensorRole.Output);
            }

            return NewValue<T>(output, creator: null, requiresGrad: false, name: null, op, -1);
        }

        node.Index = _nodes.Count;
        _nodes.Add(node);
        if (output.IsLeased)
        {
            output.SetOrigin(op, node.Index, TensorRole.Output);
        }

        var y = NewValue(output, node, requiresGrad: true, name: null, op, node.Index);
        node.Bind(y);
        if (IsDetectingAnomalies)
        {
            AnomalyException.CheckForward(node, output);
        }

        return y;
    }

    /// <summary>Runs one backward pass from <paramref name="root"/>, whose gradient is already seeded.</summary>
    internal void RunBackward(Node root, bool retainGraph)
    {
        for (int i = root.Index; i >= 0; i--)
        {
            var node = _nodes[i];
            if (!node.HasOutputGrad)
            {
                continue;
            }

            node.RunOutputHooks();
            node.Backward();
            if (IsDetectingAnomalies)
            {
                node.CheckInputGradsFinite();
            }
        }

        FinishPass(retainGraph);
    }

    /// <summary>Moves hooked leaves' pass gradients into their accumulated gradients and, without
    /// retainGraph, consumes the tape.</summary>
    internal void FinishPass(bool retainGraph)
    {
        foreach (var leaf in _hookedLeaves)
        {
            leaf.FlushPassGradient();
        }

        _hookedLeaves.Clear();
        if (!retainGraph)
        {
            IsConsumed = true;
        }
    }

    /// <summary>Starts a backward pass.</summary>
    internal void BeginPass(string op)
    {
        RequireOwnerThread(op);
        if (IsConsumed)
        {
            throw new InvalidOperationException($"{op}: the graph was already differentiated and released. Pass retainGraph: true to the first Backward to differentiate the same forward pass again.");
        }

        Pass++;
    }

    internal void RegisterHookedLeaf(IHookedLeaf leaf) => _hookedLeaves.Add(leaf);

    internal void RequireOwnerThread(string op)
    {
        if (Environment.CurrentManagedThreadId != _ownerThread)
        {
            throw new InvalidOperationException($"{op}: this tape belongs to thread {_ownerThread} but was used on thread {Environment.CurrentManagedThreadId}. Tapes are per thread.");
        }
    }

    /// <summary>A leaf whose gradient goes through hooks and is flushed at the end of a pass.</summary>
    internal interface IHookedLeaf
    {
        void FlushPassGradient();
    }

    /// <summary>A pooled object of one generation that goes back to its pool when the tape is released.</summary>
    internal interface IRecyclable
    {
        void Recycle();
    }

    /// <summary>Ends a <see cref="NoGrad"/> or <see cref="DetectAnomaly"/> scope when disposed.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Tape _tape;
        private readonly Action<Tape> _exit;

        internal Scope(Tape tape, Action<Tape> exit)
        {
            _tape = tape;
            _exit = exit;
        }

        /// <summary>Leaves the scope.</summary>
        public void Dispose() => _exit?.Invoke(_tape);
    }
}
