using System.Text;

namespace Mtl.Training.Data;

/// <summary>
/// Reads CSV in the manner of RFC 4180: delimiter-separated fields; a field in double quotes may hold
/// delimiters, line breaks and doubled quotes (<c>""</c> for one <c>"</c>); records end with LF, CRLF or CR;
/// a final line break is optional; a UTF-8 byte-order mark is skipped. Departures, chosen so that
/// nothing is coerced silently: every record must have as many fields as the header; a quote inside an
/// unquoted field or text after a closing quote is an error; wholly empty lines are skipped (as pandas
/// does by default), since they carry no record; bytes that are not valid UTF-8 are an error naming the
/// line and byte offset, never replaced by U+FFFD. The delimiter and trimming follow a <see cref="CsvDialect"/>
/// (<see cref="Read(string)"/>: commas, fields verbatim).
/// </summary>
public static class CsvReader
{
    // Throws on invalid bytes instead of substituting U+FFFD, so a file in Latin-1 fails loudly.
    private static readonly UTF8Encoding _strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="path"/> into a header and records (commas, fields verbatim).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is empty or not UTF-8, the header has an empty or duplicate name,
    /// a quote is misplaced or unterminated, or a record has the wrong number of fields.</exception>
    public static CsvTable Read(string path) => Read(path, CsvDialect.Rfc4180);

    /// <summary>Reads <paramref name="path"/> in <paramref name="dialect"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">As for <see cref="Read(string)"/>.</exception>
    public static CsvTable Read(string path, CsvDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        return Parse(ReadText(path, "CSV"), path, dialect);
    }

    /// <summary>Parses CSV <paramref name="text"/> (commas, fields verbatim); <paramref name="file"/> names it in error messages.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Read(string)"/>.</exception>
    public static CsvTable Parse(string text, string file) => Parse(text, file, CsvDialect.Rfc4180);

    /// <summary>Parses <paramref name="text"/> in <paramref name="dialect"/>; <paramref name="file"/> names it in error messages.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Read(string)"/>.</exception>
    public static CsvTable Parse(string text, string file, CsvDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(dialect);
        char delimiter = dialect.Resolve(text);
        bool trim = dialect.TrimFields;
        var records = new List<string[]>();
        var lines = new List<int>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int pos = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        int line = 1;
        while (pos < text.Length)
        {
            int recordLine = line;
            fields.Clear();
            bool quoted = false;
            bool endOfRecord = false;
            while (!endOfRecord)
            {
                field.Clear();
                if (trim)
                {
                    pos = SkipBlanks(text, pos, delimiter);
                }

                if (pos < text.Length && text[pos] == '"')
                {
                    quoted = true;
                    pos = ReadQuoted(text, pos + 1, field, ref line, file, records.Count, recordLine);
                    if (trim)
                    {
                        pos = SkipBlanks(text, pos, delimiter);
                    }
                }
                else
                {
                    while (pos < text.Length && text[pos] != delimiter && text[pos] is not ('\r' or '\n'))
                    {
                        if (text[pos] == '"')
                        {
                            throw Error(file, records.Count, line, $"a double quote inside the unquoted field starting '{field}'; quote the whole field and double the quote.");
                        }

                        field.Append(text[pos++]);
                    }

                    if (trim)
                    {
                        TrimEnd(field, delimiter);
                    }
                }

                fields.Add(field.ToString());
                if (pos >= text.Length)
                {
                    endOfRecord = true;
                }
                else if (text[pos] == delimiter)
                {
                    pos++;
                }
                else if (text[pos] is '\r' or '\n')
                {
                    pos += text[pos] == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n' ? 2 : 1;
                    line++;
                    endOfRecord = true;
                }
                else
                {
                    throw Error(file, records.Count, line, $"text after the closing quote of field {fields.Count} (the delimiter is '{CsvDialect.Printable(delimiter)}'; set CsvDialect.Delimiter, or TabularSchema.Delimiter, if the file uses another).");
                }
            }

            if (fields.Count == 1 && fields[0].Length == 0 && !quoted)
            {
                continue;
            }

            records.Add([.. fields]);
            lines.Add(recordLine);
        }

        if (records.Count == 0)
        {
            throw new DataFormatException(file, null, null, "the file is empty (no header).");
        }

        string[] header = records[0];
        CheckHeader(file, header);
        records.RemoveAt(0);
        lines.RemoveAt(0);
        for (int r = 0; r < records.Count; r++)
        {
            if (records[r].Length != header.Length)
            {
                throw new DataFormatException(file, r + 1, null, $"(line {lines[r]}) has {records[r].Length} fields but the header has {header.Length}{Hint(header, delimiter)}.");
            }
        }

        return new CsvTable(file, header, records, lines);
    }

    /// <summary>The text of <paramref name="path"/>, decoded as strict UTF-8.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">A byte sequence is not valid UTF-8; the message names the line and byte offset.</exception>
    internal static string ReadText(string path, string kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"{kind} file '{path}' does not exist (full path '{Path.GetFullPath(path)}').", path);
        }

        return Decode(System.IO.File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes <paramref name="bytes"/> as strict UTF-8; <paramref name="file"/> names them in the error.</summary>
    /// <exception cref="DataFormatException">A byte sequence is not valid UTF-8.</exception>
    public static string Decode(byte[] bytes, string file)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return _strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            int offset = Math.Clamp(e.Index, 0, bytes.Length);
            int line = 1 + bytes.AsSpan(0, offset).Count((byte)'\n');
            string shown = e.BytesUnknown is { Length: > 0 } b ? string.Join(" ", b.Select(x => $"0x{x:X2}")) : "?";
            throw new DataFormatException(file, null, null, $"line {line}, byte offset {offset}: the bytes {shown} are not valid UTF-8; re-save the file as UTF-8 (it may be Latin-1 or Windows-1252).", e);
        }
    }

    /// <summary>Reads a quoted field from just after its opening quote; returns the position after the closing quote.</summary>
    private static int ReadQuoted(string text, int pos, StringBuilder field, ref int line, string file, int recordsSoFar, int startLine)
    {
        while (pos < text.Length)
        {
            char c = text[pos];
            if (c == '"')
            {
                if (pos + 1 < text.Length && text[pos + 1] == '"')
                {
                    field.Append('"');
                    pos += 2;
                    continue;
                }

                return pos + 1;
            }

            // A quoted line break is part of the value; count it so later errors cite the right line.
            if (c == '\n' || (c == '\r' && (pos + 1 >= text.Length || text[pos + 1] != '\n')))
            {
                line++;
            }

            field.Append(c);
            pos++;
        }

        throw Error(file, recordsSoFar, startLine, "a quoted field is not closed before the end of the file.");
    }

    private static bool IsBlank(char c, char delimiter) => c != delimiter && c is ' ' or '\t';

    private static int SkipBlanks(string text, int pos, char delimiter)
    {
        while (pos < text.Length && IsBlank(text[pos], delimiter))
        {
            pos++;
        }

        return pos;
    }

    private static void TrimEnd(StringBuilder field, char delimiter)
    {
        int end = field.Length;
        while (end > 0 && IsBlank(field[end - 1], delimiter))
        {
            end--;
        }

        field.Length = end;
    }

    /// <summary>A guess at the cause of a field-count mismatch when the header is a single column.</summary>
    private static string Hint(string[] header, char delimiter)
    {
        if (header.Length != 1)
        {
            return string.Empty;
        }

        if (header[0].StartsWith('@') || header[0].StartsWith('%'))
        {
            return " (this looks like an ARFF file; read it with ArffReader, or give it the .arff extension for TabularLoader)";
        }

        var other = CsvDialect.Candidates.FirstOrDefault(c => c != delimiter && header[0].Contains(c, StringComparison.Ordinal));
        return other != default ? $" (the header holds '{CsvDialect.Printable(other)}' but the delimiter is '{CsvDialect.Printable(delimiter)}'; set the Delimiter)" : string.Empty;
    }

    private static void CheckHeader(string file, string[] header)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < header.Length; i++)
        {
            if (header[i].Length == 0)
            {
                throw new DataFormatException(file, 0, null, $"header field {i + 1} is empty; every column needs a name.");
            }

            if (!seen.Add(header[i]))
            {
                throw new DataFormatException(file, 0, header[i], $"the column name appears more than once in the header.");
            }
        }
    }

    /// <summary>An error in record <paramref name="recordsSoFar"/> (0 = header) at a line.</summary>
    private static DataFormatException Error(string file, int recordsSoFar, int line, string problem) =>
        new(file, recordsSoFar, null, $"(line {line}) {problem}");
}
