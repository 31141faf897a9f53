namespace Mtl.Training.Data;

/// <summary>
/// A data file that cannot be read as declared: a missing column, a value that is not a number,
/// a non-finite number, a bad IDX header. The message always names the file and, where they apply,
/// the row and the column, so the fix can be made in the file rather than guessed.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates the exception with a message only.</summary>
    public DataFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a place in a file; the message is prefixed with that place.</summary>
    /// <param name="file">The file's path.</param>
    /// <param name="row">1-based data row (the header is row 0), or null when the problem is not in one row.</param>
    /// <param name="column">Column name, or null when the problem is not in one column.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The error that caused it, if any.</param>
    public DataFormatException(string file, int? row, string? column, string problem, Exception? innerException = null)
        : base(Describe(file, row, column, problem), innerException)
    {
        File = file;
        Row = row;
        Column = column;
    }

    /// <summary>The file's path, when known.</summary>
    public string? File { get; }

    /// <summary>1-based data row (0 for the header), when the problem is in one row.</summary>
    public int? Row { get; }

    /// <summary>The column's name, when the problem is in one column.</summary>
    public string? Column { get; }

    private static string Describe(string file, int? row, string? column, string problem)
    {
        string where = $"'{file}'";
        if (row is int r)
        {
            where += r == 0 ? ", header" : $", row {r}";
        }

        if (column is not null)
        {
            where += $", column '{column}'";
        }

        return $"{where}: {problem}";
    }
}
