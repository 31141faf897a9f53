using Mtl.Tensors;

namespace Mtl.Training.Weighting;

/// <summary>
/// The state of a multi-task method as named entries — float64 arrays and 64-bit integers — for a
/// checkpoint: <see cref="IMultiTaskMethod{T}.SaveState"/> writes them, <see cref="IMultiTaskMethod{T}.LoadState"/>
/// reads them back. Float64 holds every float32 and float64 value exactly, so learned weights, loss histories
/// and generator states all round-trip bit for bit. A loader must read every entry that was saved: an entry
/// left unread is reported as a mismatch by the checkpoint, as a missing one is.
/// </summary>
/// <remarks>Entry names are the method's own (<c>log_var</c>, <c>history</c>); <see cref="Scope"/> gives a
/// part of a composite method its own prefix (<c>weighting.</c>, <c>combiner.</c>).</remarks>
public sealed partial class MethodState
{
    private readonly Entries _entries;
    private readonly string _prefix;

    /// <summary>An empty state.</summary>
    public MethodState()
        : this(new Entries(), string.Empty)
    {
    }

    private MethodState(Entries entries, string prefix)
    {
        _entries = entries;
        _prefix = prefix;
    }

    /// <summary>Every entry name with its full prefix, in the order written.</summary>
    public IReadOnlyList<string> Names => _entries.Order;

    /// <summary>The same state seen through the prefix <c><paramref name="name"/>.</c>.</summary>
    public MethodState Scope(string name)
    {
        CheckName(name);
        return new MethodState(_entries, _prefix + name + ".");
    }

    /// <summary>Writes a float64 array.</summary>
    /// <exception cref="ArgumentException">The name is empty, has a character other than letters, digits, <c>_</c> and <c>.</c>, or is written twice.</exception>
    public void Set(string name, ReadOnlySpan<double> values) => _entries.Add(Full(name), values.ToArray());

    /// <summary>Writes a 64-bit integer.</summary>
    /// <exception cref="ArgumentException">The name is not valid, or is written twice.</exception>
    public void Set(string name, long value) => _entries.Add(Full(name), value);

    /// <summary>Writes a generator's state (its four words as integers, its cached normal as an array).</summary>
    public void Set(string name, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var s = random.GetState();
        var scope = Scope(name);
        scope.Set("s0", unchecked((long)s.S0));
        scope.Set("s1", unchecked((long)s.S1));
        scope.Set("s2", unchecked((long)s.S2));
        scope.Set("s3", unchecked((long)s.S3));
        scope.Set("spare_normal", s.HasSpareNormal ? [s.SpareNormal] : []);
    }

    /// <summary>Reads a float64 array of exactly <paramref name="length"/> values.</summary>
    /// <exception cref="KeyNotFoundException">There is no such array.</exception>
    /// <exception cref="InvalidDataException">It has another length, or it is an integer.</exception>
    public double[] GetArray(string name, int length)
    {
        string full = Full(name);
        if (_entries.Get(full) is not double[] values)
        {
            throw new InvalidDataException($"method state '{full}' is an integer; expected {length} float64 values.");
        }

        if (values.Length != length)
        {
            throw new InvalidDataException($"method state '{full}' has {values.Length} values; expected {length}.");
        }

        return values;
    }

    /// <summary>Reads a float64 array of any length.</summary>
    /// <exception cref="KeyNotFoundException">There is no such array.</exception>
    /// <exception cref="InvalidDataException">It is an integer.</exception>
    public double[] GetArray(string name)
    {
        string full = Full(name);
        return _entries.Get(full) as double[] ?? throw new InvalidDataException($"method state '{full}' is an integer; expected float64 values.");
    }

    /// <summary>Reads a 64-bit integer.</summary>
    /// <exception cref="KeyNotFoundException">There is no such integer.</exception>
    /// <exception cref="InvalidDataException">It is an array.</exception>
    public long GetInteger(string name)
    {
        string full = Full(name);
        return _entries.Get(full) is long value ? value : throw new InvalidDataException($"method state '{full}' is an array; expected an integer.");
    }

    /// <summary>Reads a generator state written by <see cref="Set(string, SeededRandom)"/> (without applying it,
    /// so that a loader can check everything before changing anything).</summary>
    /// <exception cref="InvalidDataException">It is not a state of the generator.</exception>
    public SeededRandomState GetRandom(string name)
    {
        var scope = Scope(name);
        var words = new[] { "s0", "s1", "s2", "s3" }.Select(w => unchecked((ulong)scope.GetInteger(w))).ToArray();
        var spare = scope.GetArray("spare_normal");
        if (spare.Length > 1 || (words[0] | words[1] | words[2] | words[3]) == 0 || (spare.Length == 1 && !double.IsFinite(spare[0])))
        {
            throw new InvalidDataException($"method state '{_prefix}{name}' is not a state of a SeededRandom.");
        }

        return new SeededRandomState(words[0], words[1], words[2], words[3], spare.Length == 1 ? spare[0] : 0, spare.Length == 1);
    }

    /// <summary>Whether an entry of this name was written (or loaded).</summary>
    public bool Contains(string name) => _entries.Contains(Full(name));

    /// <summary>An entry by its full name, for the checkpoint writer (a double[] or a long).</summary>
    internal object Entry(string fullName) => _entries.Peek(fullName);

    /// <summary>Adds an entry by its full name, for the checkpoint reader.</summary>
    internal void AddLoaded(string fullName, object value) => _entries.Add(fullName, value);

    /// <summary>Entries no loader read.</summary>
    internal IEnumerable<string> Unread => _entries.Unread;

    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '.')
            {
                throw new ArgumentException($"method state: the name '{name}' may hold ASCII letters, digits, '_' and '.' only.", nameof(name));
            }
        }
    }

    private string Full(string name)
    {
        CheckName(name);
        return _prefix + name;
    }

    /// <summary>The entries shared by a state and its scopes.</summary>
    private sealed class Entries
    {
        private readonly Dictionary<string, object> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _read = new(StringComparer.Ordinal);

        public List<string> Order { get; } = [];

        public IEnumerable<string> Unread => Order.Where(n => !_read.Contains(n));

        public void Add(string name, object value)
        {
            if (!_values.TryAdd(name, value))
            {
                throw new ArgumentException($"method state: '{name}' is written twice.", nameof(name));
            }

            Order.Add(name);
        }

        public object Get(string name)
        {
            if (!_values.TryGetValue(name, out var value))
            {
                throw new KeyNotFoundException($"method state '{name}' is missing.");
            }

            _read.Add(name);
            return value;
        }

        public object Peek(string name) => _values[name];

        public bool Contains(string name) => _values.ContainsKey(name);
    }
}
