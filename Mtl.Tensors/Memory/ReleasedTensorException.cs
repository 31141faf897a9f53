namespace Mtl.Tensors;

/// <summary>
/// Thrown when a tensor is read or written after the autograd tape released it (its storage went back
/// to the pool at the next forward pass). The message names the op that produced the value and says how
/// to keep one: <see cref="Tensor{T}.Clone"/> it before the next forward pass.
/// </summary>
public sealed class ReleasedTensorException : ObjectDisposedException
{
    /// <summary>Creates the exception.</summary>
    public ReleasedTensorException(string message, string? producer, int tapePosition)
        : base(null, message)
    {
        Producer = producer;
        TapePosition = tapePosition;
    }

    /// <summary>Creates the exception.</summary>
    public ReleasedTensorException()
        : base(null, "The tensor was released.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReleasedTensorException(string message)
        : base(null, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReleasedTensorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The name of the op that produced the released value (e.g. "linear"), if known.</summary>
    public string? Producer { get; }

    /// <summary>The producing op's position on the tape, or -1 when it was not recorded or is unknown.</summary>
    public int TapePosition { get; } = -1;
}
