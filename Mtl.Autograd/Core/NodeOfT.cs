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
}

/// <summary>A node with one input <see cref="X"/>.</summary>
public abstract class UnaryNode<T>(Var<T> x) : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The input.</summary>
    protected Var<T> X { get; } = x;

    /// <inheritdoc />
    protected override IEnumerable<Var<T>> TypedInputs => [X];
}

/// <summary>A node with two inputs <see cref="A"/> and <see cref="B"/>.</summary>
public abstract class BinaryNode<T>(Var<T> a, Var<T> b) : Node<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The first input.</summary>
    protected Var<T> A { get; } = a;

    /// <summary>The second input.</summary>
    protected Var<T> B { get; } = b;

    /// <inheritdoc />
    protected override IEnumerable<Var<T>> TypedInputs => [A, B];
}
