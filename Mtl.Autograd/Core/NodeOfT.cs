using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>A node whose values have element type <typeparamref name="T"/>.</summary>
public abstract class Node<T> : Node
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Var<T>? _output;

    /// <summary>The value this op produced.</summary>
    protected Var<T> Y => _output!;

    /// <summary>The output's gradient in the current pass (dL/dy).</summary>
    protected Tensor<T> Dy => _output!.PassGrad!;

    /// <inheritdoc />
    public override IVar Output => _output!;

    /// <summary>The inputs as typed values.</summary>
    protected abstract IEnumerable<Var<T>> TypedInputs { get; }

    /// <inheritdoc />
    public override IReadOnlyList<IVar> Inputs => [.. TypedInputs];

    internal void Bind(Var<T> output) => _output = output;

    internal override bool HasOutputGrad => _output?.PassGrad is not null;

    internal override void RunOutputHooks() => _output!.RunHooks();

    internal override void CheckInputGradsFinite()
    {
        foreach (var x in TypedInputs)
        {
            var g = x.RequiresGrad ? x.GradForCheck : null;
            if (g is not null)
            {
                AnomalyException.CheckBackward(this, x, g);
            }
        }
    }

    /// <inheritdoc />
    internal sealed override void Recycle()
    {
        _output = null;
        ResetEscaped();
        Release();
    }

    /// <summary>Clears this op's own references (inputs, saved tensors and arrays) and pushes the node onto
    /// its type's <see cref="NodePool{TNode}"/>.</summary>
    private protected abstract void Release();
}

/// <summary>A node with one input <see cref="X"/>.</summary>
public abstract class UnaryNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private protected UnaryNode()
    {
    }

    /// <summary>The input.</summary>
    protected Var<T> X { get; private set; } = null!;

    /// <inheritdoc />
    protected override IEnumerable<Var<T>> TypedInputs => [X];

    private protected void SetInput(Var<T> x) => X = x;

    private protected void ClearInput() => X = null!;
}

/// <summary>A node with two inputs <see cref="A"/> and <see cref="B"/>.</summary>
public abstract class BinaryNode<T> : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private protected BinaryNode()
    {
    }

    /// <summary>The first input.</summary>
    protected Var<T> A { get; private set; } = null!;

    /// <summary>The second input.</summary>
    protected Var<T> B { get; private set; } = null!;

    /// <inheritdoc />
    protected override IEnumerable<Var<T>> TypedInputs => [A, B];

    private protected void SetInputs(Var<T> a, Var<T> b)
    {
        A = a;
        B = b;
    }

    private protected void ClearInputs()
    {
        A = null!;
        B = null!;
    }
}

/// <summary>
/// A per-thread pool of one node type: the ops of a repeated training step reuse the node objects of
/// the previous step instead of allocating new ones (the tape returns them when it is released).
/// </summary>
internal static class NodePool<TNode>
    where TNode : Node, new()
{
    [ThreadStatic]
    private static Stack<TNode>? _idle;

    /// <summary>An idle node, or a new one.</summary>
    public static TNode Rent() => _idle is { Count: > 0 } idle ? idle.Pop() : new TNode();

    /// <summary>Takes back a node whose references were cleared.</summary>
    public static void Return(TNode node) => (_idle ??= new Stack<TNode>()).Push(node);
}
