using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Checkpoints;

/// <summary>The tensors of a safetensors file by name, in file order, and the header's metadata.</summary>
/// <param name="Tensors">The tensors, each a fresh tensor the caller owns.</param>
/// <param name="Metadata">The header's <c>__metadata__</c> (empty when there is none).</param>
public sealed record NamedTensors<T>(IReadOnlyDictionary<string, Tensor<T>> Tensors, IReadOnlyDictionary<string, string> Metadata)
    where T : unmanaged, IFloatingPointIeee754<T>;
