using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>A value on the tape as inspection sees it, whatever its element type.</summary>
public interface IVar
{
    /// <summary>The user's name for this value (parameters carry their hierarchical name), if any.</summary>
    string? Name { get; }

    /// <summary>The value's shape.</summary>
    Shape Shape { get; }

    /// <summary>The op that produced this value, or null for a leaf.</summary>
    Node? Creator { get; }

    /// <summary>True for values no op produced: parameters and inputs.</summary>
    bool IsLeaf { get; }

    /// <summary>True when gradients flow to this value.</summary>
    bool RequiresGrad { get; }

    /// <summary>Statistics of the value.</summary>
    TensorStats ValueStats();

    /// <summary>Statistics of the gradient from the last backward pass, or null if it has none.</summary>
    TensorStats? GradStats();
}

/// <summary>
/// One recorded operation: its inputs, its output and the rule that turns the output's gradient into
/// gradients of its inputs. Subclasses keep forward and backward side by side.
/// </summary>
/// <remarks>Node objects are pooled per thread and reused for later ops once the tape is released,
/// unless one was handed out (<see cref="Var{T}.Creator"/>, <see cref="Tape.Nodes"/>): such a node is kept
/// as it was, and its output and inputs from the released generation throw when used.</remarks>
public abstract class Node
{
    private bool _escaped;

    /// <summary>The op's name as shown in dumps and graphs (e.g. "matmul", "relu").</summary>
    public abstract string OpName { get; }

    /// <summary>Position on the tape (0 = first op recorded).</summary>
    public int Index { get; internal set; }

    /// <summary>The inputs, in argument order.</summary>
    public abstract IReadOnlyList<IVar> Inputs { get; }

    /// <summary>The value this op produced.</summary>
    public abstract IVar Output { get; }

    /// <summary>Extra detail for dumps (e.g. an axis or a slope); empty by default.</summary>
    public virtual string Detail => string.Empty;

    /// <summary>True when a reference to this node was handed out, so it must not be reused.</summary>
    internal bool Escaped => _escaped;

    /// <summary>Records that a reference to this node was handed out.</summary>
    internal void MarkEscaped() => _escaped = true;

    /// <summary>Clears the escape mark when a pooled node starts a new use.</summary>
    private protected void ResetEscaped() => _escaped = false;

    /// <summary>Drops this use's references (inputs, output, saved tensors) and returns the node to its pool.</summary>
    internal abstract void Recycle();

    /// <summary>True when the output received a gradient in the current backward pass.</summary>
    internal abstract bool HasOutputGrad { get; }

    /// <summary>Adds this op's contribution to its inputs' gradients from the output's gradient.</summary>
    internal abstract void Backward();

    /// <summary>Runs the output's gradient hooks before the gradient flows further back.</summary>
    internal abstract void RunOutputHooks();

    /// <summary>Checks the gradients this op produced are finite (anomaly mode).</summary>
    internal abstract void CheckInputGradsFinite();
}
