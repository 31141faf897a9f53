using System.Text;

namespace Mtl.Training.Data;

/// <summary>
/// Reads Weka's ARFF format into the same <see cref="CsvTable"/> the CSV path produces, so a
/// <see cref="TabularSchema"/> applies unchanged. Supported: <c>%</c> comment lines; <c>@relation</c>;
/// <c>@attribute</c> with a bare, 'single-' or "double-quoted" name and type <c>numeric</c>, <c>real</c>,
/// <c>integer</c>, <c>string</c>, <c>date</c> (kept as text) or a nominal list <c>{a, 'b c'}</c>;
/// <c>@data</c> rows, dense (comma-separated, values optionally quoted with backslash escapes) or sparse
/// (<c>{index value, ...}</c>, where an absent numeric value is 0 and an absent nominal value is the first
/// one declared, as in Weka). An unquoted <c>?</c> is missing (see <see cref="CsvTable.FormatMissingMarkers"/>).
/// Nominal lists become <see cref="CsvTable.DeclaredCategories"/>, so categories keep the declared order.
/// Keywords are case-insensitive. Relational attributes are rejected with a message.
/// </summary>
public static class ArffReader
{
    /// <summary>Reads the ARFF file <paramref name="path"/> (strict UTF-8).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The header or a row is malformed; the message names the line.</exception>
    public static CsvTable Read(string path) => Parse(CsvReader.ReadText(path, "ARFF"), path);

    /// <summary>Parses ARFF <paramref name="text"/>; <paramref name="file"/> names it in error messages.</summary>
    /// <exception cref="DataFormatException">As for <see cref="Read"/>.</exception>
    public static CsvTable Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new List<string>();
        var nominal = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var isNumeric = new List<bool>();
        var rows = new List<string[]>();
        var lines = new List<int>();
        bool inData = false;
        string[] all = text.TrimStart('\uFEFF').Split('\n');
        for (int l = 0; l < all.Length; l++)
        {
            int lineNumber = l + 1;
            string line = all[l].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '%')
            {
                continue;
            }

            if (!inData)
            {
                if (Keyword(line, "@relation"))
                {
                    continue;
                }

                if (Keyword(line, "@data"))
                {
                    if (names.Count == 0)
                    {
                        throw Error(file, null, lineNumber, "@data before any @attribute.");
                    }

                    inData = true;
                    continue;
                }

                if (!Keyword(line, "@attribute"))
                {
                    throw Error(file, 0, lineNumber, $"expected @relation, @attribute or @data, found '{Shorten(line)}'.");
                }

                ReadAttribute(line["@attribute".Length..].Trim(), file, lineNumber, names, nominal, isNumeric);
                continue;
            }

            string[] row = line[0] == '{'
                ? Sparse(line, file, rows.Count + 1, lineNumber, names, nominal, isNumeric)
                : Dense(line, file, rows.Count + 1, lineNumber, names.Count);
            rows.Add(row);
            lines.Add(lineNumber);
        }

        if (!inData)
        {
            throw new DataFormatException(file, null, null, "no @data section (is this an ARFF file?).");
        }

        return new CsvTable(file, [.. names], rows, lines, ["?"], nominal);
    }

    private static void ReadAttribute(string rest, string file, int line, List<string> names, Dictionary<string, IReadOnlyList<string>> nominal, List<bool> isNumeric)
    {
        int pos = 0;
        string name = rest.Length > 0 && rest[0] is '\'' or '"' ? Unquote(rest, ref pos, file, 0, line) : Token(rest, ref pos);
        if (name.Length == 0)
        {
            throw Error(file, 0, line, "@attribute without a name.");
        }

        if (names.Contains(name, StringComparer.Ordinal))
        {
            throw new DataFormatException(file, 0, name, $"(line {line}) the attribute is declared twice.");
        }

        string type = rest[pos..].Trim();
        if (type.StartsWith('{'))
        {
            if (!type.EndsWith('}'))
            {
                throw new DataFormatException(file, 0, name, $"(line {line}) the nominal list '{Shorten(type)}' is not closed with '}}'.");
            }

            var values = SplitValues(type[1..^1], file, 0, line, out _);
            if (values.Distinct(StringComparer.Ordinal).Count() != values.Count)
            {
                throw new DataFormatException(file, 0, name, $"(line {line}) the nominal list repeats a value.");
            }

            nominal[name] = values;
            isNumeric.Add(false);
        }
        else
        {
            string kind = type.Split((char[])[' ', '\t'], 2)[0].ToLowerInvariant();
            bool numeric = kind is "numeric" or "real" or "integer";
            if (!numeric && kind is not ("string" or "date"))
            {
                throw new DataFormatException(file, 0, name, $"(line {line}) the attribute type '{Shorten(type)}' is not supported (numeric, real, integer, string, date or a nominal {{a, b}} list).");
            }

            isNumeric.Add(numeric);
        }

        names.Add(name);
    }

    private static string[] Dense(string line, string file, int row, int lineNumber, int width)
    {
        var values = SplitValues(line, file, row, lineNumber, out var quoted);
        if (values.Count != width)
        {
            throw Error(file, row, lineNumber, $"has {values.Count} values but {width} attributes are declared.");
        }

        for (int i = 0; i < values.Count; i++)
        {
            // A quoted '?' is the text "?", not a missing value; the table cannot tell them apart, so say so.
            if (quoted[i] && values[i] == "?")
            {
                throw Error(file, row, lineNumber, $"value {i + 1} is a quoted '?', which this reader cannot tell from a missing value.");
            }
        }

        return [.. values];
    }

    /// <summary>A sparse row <c>{i v, j w}</c>: listed indices get their values; the rest are 0 (numeric) or the first declared value (nominal).</summary>
    private static string[] Sparse(string line, string file, int row, int lineNumber, List<string> names, Dictionary<string, IReadOnlyList<string>> nominal, List<bool> isNumeric)
    {
        if (!line.EndsWith('}'))
        {
            throw Error(file, row, lineNumber, "a sparse row opened with '{' is not closed with '}'.");
        }

        var result = new string[names.Count];
        for (int a = 0; a < names.Count; a++)
        {
            result[a] = isNumeric[a] ? "0" : nominal.TryGetValue(names[a], out var v) && v.Count > 0 ? v[0] : string.Empty;
        }

        foreach (string entry in SplitValues(line[1..^1], file, row, lineNumber, out _, keepEntries: true))
        {
            int space = entry.IndexOfAny([' ', '\t']);
            if (space <= 0 || !int.TryParse(entry.AsSpan(0, space), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index) || index >= names.Count)
            {
                throw Error(file, row, lineNumber, $"sparse entry '{Shorten(entry)}' is not '<attribute index 0..{names.Count - 1}> <value>'.");
            }

            int pos = 0;
            string value = entry[(space + 1)..].Trim();
            result[index] = value.Length > 0 && value[0] is '\'' or '"' ? Unquote(value, ref pos, file, row, lineNumber) : value;
        }

        return result;
    }

    /// <summary>Splits comma-separated values, trimming blanks and removing quotes (or, with <paramref name="keepEntries"/>, keeping each entry's text).</summary>
    private static List<string> SplitValues(string text, string file, int? row, int line, out List<bool> quoted, bool keepEntries = false)
    {
        var values = new List<string>();
        quoted = [];
        int pos = 0;
        while (true)
        {
            while (pos < text.Length && text[pos] is ' ' or '\t')
            {
                pos++;
            }

            int start = pos;
            bool isQuoted = !keepEntries && pos < text.Length && text[pos] is '\'' or '"';
            string value;
            if (isQuoted)
            {
                value = Unquote(text, ref pos, file, row, line);
                while (pos < text.Length && text[pos] is ' ' or '\t')
                {
                    pos++;
                }
            }
            else
            {
                char quote = '\0';
                while (pos < text.Length && (quote != '\0' || text[pos] != ','))
                {
                    quote = text[pos] is '\'' or '"' && (pos == 0 || text[pos - 1] != '\\') ? (quote == '\0' ? text[pos] : quote == text[pos] ? '\0' : quote) : quote;
                    pos++;
                }

                value = text[start..pos].Trim();
            }

            if (pos < text.Length && text[pos] != ',')
            {
                throw Error(file, row, line, $"text after the closing quote of value {values.Count + 1}.");
            }

            values.Add(value);
            quoted.Add(isQuoted);
            if (pos >= text.Length)
            {
                return values;
            }

            pos++;
        }
    }

    /// <summary>Reads a '…' or "…" string at <paramref name="pos"/> with backslash escapes; leaves pos after the closing quote.</summary>
    private static string Unquote(string text, ref int pos, string file, int? row, int line)
    {
        char quote = text[pos++];
        var sb = new StringBuilder();
        while (pos < text.Length)
        {
            char c = text[pos++];
            if (c == quote)
            {
                return sb.ToString();
            }

            if (c == '\\' && pos < text.Length)
            {
                char e = text[pos++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                continue;
            }

            sb.Append(c);
        }

        throw Error(file, row, line, $"the string starting {quote}{Shorten(text[(text.LastIndexOf(quote, pos - 1) + 1)..])} is not closed.");
    }

    private static string Token(string text, ref int pos)
    {
        int start = pos;
        while (pos < text.Length && text[pos] is not (' ' or '\t'))
        {
            pos++;
        }

        return text[start..pos];
    }

    private static bool Keyword(string line, string keyword) =>
        line.StartsWith(keyword, StringComparison.OrdinalIgnoreCase) && (line.Length == keyword.Length || line[keyword.Length] is ' ' or '\t');

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    private static DataFormatException Error(string file, int? row, int line, string problem) => new(file, row, null, $"(line {line}) {problem}");
}
