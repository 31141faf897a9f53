namespace Mtl.Training.Checkpoints;

/// <summary>
/// A checkpoint file that cannot be loaded: truncated, not safetensors, or not matching the model or
/// optimizer. The message names the file and, where there is one, the tensor, and says what differs
/// (<c>shared.0.weight: shape [64, 8] in file, [32, 8] in model</c>). Nothing was loaded when it is thrown.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CheckpointException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for <paramref name="filePath"/> and, optionally, one tensor.</summary>
    public CheckpointException(string filePath, string? tensorName, string problem, Exception? innerException = null)
        : base(tensorName is null ? $"{filePath}: {problem}" : $"{filePath}: {tensorName}: {problem}", innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The checkpoint file.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor the problem is about, or null for the file as a whole.</summary>
    public string? TensorName { get; }
}
