using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Mtl.Tensors;

/// <summary>A tensor the autograd tape leased from <see cref="TensorPool{T}"/>, whatever its element type.</summary>
internal interface ILeasedTensor
{
    /// <summary>Gives the tensor back to its pool when the tape is released.</summary>
    void Release();
}

/// <summary>How a tensor holds its storage, which decides whether and when it is released.</summary>
internal enum TensorLease : byte
{
    /// <summary>Its own storage (<c>new Tensor</c>, <c>Clone</c>, a view of such a tensor): never released.</summary>
    Owned,

    /// <summary>A pool object on pool storage: released when its owner (the autograd tape) returns it.</summary>
    PooledStorage,

    /// <summary>A pool object viewing a pooled tensor's storage (an op's reshaped output): released with the tape.</summary>
    PooledView,

    /// <summary>A view a caller made of a leased tensor: released together with that tensor.</summary>
    Dependent,
}

/// <summary>What a leased tensor held, for the message when it is used after release.</summary>
internal enum TensorRole : byte
{
    /// <summary>Scratch or saved state of an op (never handed out).</summary>
    Intermediate,

    /// <summary>The value an op produced.</summary>
    Output,

    /// <summary>The gradient of the value an op produced.</summary>
    Gradient,

    /// <summary>One backward pass's gradient of a leaf (the tensor its hooks see).</summary>
    LeafGradient,
}

// The memory rule. A tensor is either owned (never released) or leased from TensorPool by the autograd
// tape. When the tape releases a leased tensor, its storage goes back to the pool, and:
// - if no handle to the object ever left the engine, the object itself is recycled for a later value;
// - if one did (Var.Data, Var.Grad, a hook, a view a caller made of it: "escaped"), the object is never
//   reused: it is marked released (storage dropped), so every later read or write through it, or through a
//   view made of it, throws ReleasedTensorException instead of seeing another value.
// The check on every access is one null test of the storage reference.
public sealed partial class Tensor<T>
{
    private TensorLease _lease;
    private bool _escaped;
    private bool _rentedByCaller;
    private TensorRole _role;
    private bool _viewOfReleased;
    private int _producerPosition = -1;
    private string? _producer;
    private Tensor<T>? _firstDependent;
    private Tensor<T>? _nextDependent;

    private Tensor(TensorLease lease)
    {
        _lease = lease;
    }

    /// <summary>An empty object for the pool; <see cref="Lease"/> gives it storage.</summary>
    internal static Tensor<T> NewPoolObject() => new(TensorLease.PooledStorage);

    /// <summary>True for tensors the tape will release (pooled, or a view of a pooled tensor).</summary>
    internal bool IsLeased => _lease != TensorLease.Owned;

    /// <summary>True once released: the storage went back to the pool and every access throws.</summary>
    public bool IsReleased => _buffer is null;

    /// <summary>Records that a handle to this tensor left the engine (a user, a hook): at release the
    /// object is retired instead of recycled. A field write; nothing for an owned tensor.</summary>
    internal void MarkEscaped() => _escaped = true;

    /// <summary>Marks a tensor of <see cref="TensorPool{T}.Rent"/>: the caller holds it and may return it.</summary>
    internal void MarkRentedByCaller()
    {
        _rentedByCaller = true;
        _escaped = true;
    }

    /// <summary>True when <see cref="MarkEscaped"/> was called since the object was leased.</summary>
    internal bool Escaped => _escaped;

    /// <summary>Names the op whose value (or gradient) this leased tensor holds, for the released message.</summary>
    internal void SetOrigin(string? producer, int position, TensorRole role)
    {
        _producer = producer;
        _producerPosition = position;
        _role = role;
    }

    /// <summary>Points a pool object at storage for a new lease.</summary>
    internal void Lease(T[] buffer, int offset, Shape shape, TensorLease lease)
    {
        _buffer = buffer;
        _offset = offset;
        _shape = shape;
        _lease = lease;
        _escaped = false;
        _rentedByCaller = false;
        _role = TensorRole.Intermediate;
        _viewOfReleased = false;
        _producer = null;
        _producerPosition = -1;
    }

    /// <summary>The storage for the pool to take back (null for views and released tensors).</summary>
    internal T[]? PooledStorage => _lease == TensorLease.PooledStorage ? _buffer : null;

    /// <summary>Ends this lease: releases the views made of it, and either retires the object (it escaped:
    /// every later access throws) or empties it for reuse. Returns true when the object can be reused.</summary>
    internal bool EndLease()
    {
        ReleaseDependents();
        _buffer = null;
        return !_escaped;
    }

    /// <summary>A view of this tensor's storage; a view of a leased tensor is released together with it.</summary>
    private Tensor<T> View(int offset, Shape shape)
    {
        var view = new Tensor<T>(Buffer, offset, shape);
        if (_lease != TensorLease.Owned)
        {
            view._lease = TensorLease.Dependent;
            view._nextDependent = _firstDependent;
            _firstDependent = view;
        }

        return view;
    }

    private void ReleaseDependents()
    {
        var d = _firstDependent;
        _firstDependent = null;
        while (d is not null)
        {
            var next = d._nextDependent;
            d._nextDependent = null;
            d._producer = _producer;
            d._producerPosition = _producerPosition;
            d._role = _role;
            d._viewOfReleased = true;
            d.ReleaseDependents();
            d._buffer = null;
            d = next;
        }
    }

    /// <summary>The storage, or a <see cref="ReleasedTensorException"/> when the tensor was released.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private T[] ThrowReleased() => throw new ReleasedTensorException(ReleasedMessage(), _producer, _producerPosition);

    private string ReleasedMessage()
    {
        string what = _role switch
        {
            TensorRole.Output => $"the output of {_producer}{Position()}",
            TensorRole.Gradient => $"the gradient of the output of {_producer}{Position()}",
            TensorRole.LeafGradient => $"one backward pass's gradient of {(_producer is null ? "a leaf" : $"'{_producer}'")}",
            _ => "a value of the autograd tape",
        };
        if (_viewOfReleased)
        {
            what = "a view of " + what;
        }

        return $"This tensor of shape {_shape} ({what}) was released: the tape returns the values and gradients of a " +
            "forward pass to its pool when the next forward pass starts (or on Tape.Release()), and their storage now holds " +
            "other values. To keep a value, Clone() it (or read it with Item()/ToArray()) before the next forward pass.";
    }

    private string Position() => _producerPosition >= 0 ? $" at tape position {_producerPosition}" : " (not recorded: no input required grad)";
}
