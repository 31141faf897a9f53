using System.Text;

namespace Mtl.Training.Data;

/// <summary>
/// Reads CSV in the manner of RFC 4180: comma-separated fields; a field in double quotes may hold
/// commas, line breaks and doubled quotes (<c>""</c> for one <c>"</c>); records end with LF, CRLF or CR;
/// a final line break is optional; a UTF-8 byte-order mark is skipped. Departures, chosen so that
/// nothing is coerced silently: every record must have as many fields as the header; a quote inside an
/// unquoted field or text after a closing quote is an error; wholly empty lines are skipped (as pandas
/// does by default), since they carry no record. Fields are returned verbatim, without trimming.
/// </summary>
public static class CsvReader
{
    /// <summary>Reads <paramref name="path"/> into a header and records.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file is empty, the header has an empty or duplicate name,
    /// a quote is misplaced or unterminated, or a record has the wrong number of fields.</exception>
    public static CsvTable Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!System.IO.File.Exists(path))
        {
            throw new FileNotFoundException($"CSV file '{path}' does not exist (full path '{Path.GetFullPath(path)}').", path);
        }

        return Parse(System.IO.File.ReadAllText(path, Encoding.UTF8), path);
    }

    /// <summary>Parses CSV <paramref name="text"/>; <paramref name="file"/> names it in error messages.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Read"/>.</exception>
    public static CsvTable Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
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
                if (pos < text.Length && text[pos] == '"')
                {
                    quoted = true;
                    pos = ReadQuoted(text, pos + 1, field, ref line, file, records.Count, recordLine);
                }
                else
                {
                    while (pos < text.Length && text[pos] is not (',' or '\r' or '\n'))
                    {
                        if (text[pos] == '"')
                        {
                            throw Error(file, records.Count, line, $"a double quote inside the unquoted field starting '{field}'; quote the whole field and double the quote.");
                        }

                        field.Append(text[pos++]);
                    }
                }

                fields.Add(field.ToString());
                if (pos >= text.Length)
                {
                    endOfRecord = true;
                }
                else if (text[pos] == ',')
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
                    throw Error(file, records.Count, line, $"text after the closing quote of field {fields.Count}.");
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
                throw new DataFormatException(file, r + 1, null, $"(line {lines[r]}) has {records[r].Length} fields but the header has {header.Length}.");
            }
        }

        return new CsvTable(file, header, records, lines);
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
