namespace Mtl.Examples;

/// <summary>The command line cannot be understood: an unknown example or option, or a bad option value.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UsageException()
    {
    }

    /// <summary>Creates the exception with a message for the user.</summary>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A data file that loaded but cannot be used as an example needs it (too few rows, a constant
/// target...); the message names the file.</summary>
public sealed class ExampleInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExampleInputException()
    {
    }

    /// <summary>Creates the exception with a message for the user.</summary>
    public ExampleInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ExampleInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
