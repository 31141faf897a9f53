namespace Mtl.Training.Data;

/// <summary>
/// The declared meaning of a CSV file's columns: which are inputs (numeric or categorical) and which are
/// task targets. Columns not declared are ignored. Input columns become features in declaration order
/// (a one-hot column expands in place); each target column is one task, named after its column.
/// <code>
/// var schema = new TabularSchema { MissingFeatures = MissingFeaturePolicy.DropRow }
///     .Numeric("bill_length_mm", "bill_depth_mm")
///     .Categorical("island")
///     .Classification("species")
///     .Regression("body_mass_g");
/// </code>
/// Wide tables need not list every column: <see cref="NumericRange"/> declares a block of columns by its
/// first and last name, and <see cref="NumericRest"/> every column not declared otherwise; both are
/// resolved against the file's header when it is read (<see cref="ResolveFor"/>).
/// </summary>
public sealed partial class TabularSchema
{
    /// <summary>The category that unseen values map to under <see cref="UnseenCategoryPolicy.UnknownBucket"/>.</summary>
    public const string UnknownCategory = "<unknown>";

    private readonly List<InputColumn> _inputs = [];
    private readonly List<TargetColumn> _targets = [];

    /// <summary>Field values that mean "missing" (compared exactly, case-sensitive). Default: <c>NA</c> and the empty field.</summary>
    public IReadOnlyList<string> MissingMarkers { get; init; } = ["NA", ""];

    /// <summary>What to do with rows whose input value is missing. Default: <see cref="MissingFeaturePolicy.Error"/>.
    /// (A missing target never drops a row: it sets that task's mask to 0.)</summary>
    public MissingFeaturePolicy MissingFeatures { get; init; } = MissingFeaturePolicy.Error;

    /// <summary>How categories learned from the data are numbered. Default: <see cref="CategoryOrder.Sorted"/>.</summary>
    public CategoryOrder CategoryOrder { get; init; } = CategoryOrder.Sorted;

    /// <summary>The field delimiter; null (the default) detects it among <c>, ; tab |</c> from the header line.</summary>
    public char? Delimiter { get; init; }

    /// <summary>Remove spaces and tabs around unquoted fields, so <c>" S"</c> and <c>"S"</c> are one category. Default: true.</summary>
    public bool TrimFields { get; init; } = true;

    /// <summary>What a fitted <see cref="TabularPipeline"/> does with a category it did not see when fitted.
    /// Default: <see cref="UnseenCategoryPolicy.Error"/>.</summary>
    public UnseenCategoryPolicy UnseenCategories { get; init; } = UnseenCategoryPolicy.Error;

    /// <summary>The CSV dialect this schema reads files in.</summary>
    public CsvDialect Dialect => new() { Delimiter = Delimiter, TrimFields = TrimFields };

    /// <summary>The declared input columns, in order (without the blocks of <see cref="NumericRange"/> and
    /// <see cref="NumericRest"/> until resolved by <see cref="ResolveFor"/>).</summary>
    public IReadOnlyList<InputColumn> Inputs => _inputs;

    /// <summary>The declared target columns (one task each), in order.</summary>
    public IReadOnlyList<TargetColumn> Targets => _targets;

    /// <summary>Declares numeric input columns.</summary>
    /// <exception cref="ArgumentException">A column is already declared.</exception>
    public TabularSchema Numeric(params string[] columns)
    {
        foreach (string c in columns)
        {
            AddInput(new InputColumn(c, InputKind.Numeric, null));
        }

        return this;
    }

    /// <summary>Declares a categorical input column.</summary>
    /// <param name="column">The column's name.</param>
    /// <param name="encoding">One-hot features, or an embedding index beside the features.</param>
    /// <param name="categories">The categories in index order; null learns them from the data
    /// (in <see cref="CategoryOrder"/>). When given, a value outside the list is an error.</param>
    /// <exception cref="ArgumentException">A column is already declared.</exception>
    public TabularSchema Categorical(string column, CategoricalEncoding encoding = CategoricalEncoding.OneHot, IReadOnlyList<string>? categories = null)
    {
        var kind = encoding == CategoricalEncoding.OneHot ? InputKind.OneHot : InputKind.EmbeddingIndex;
        AddInput(new InputColumn(column, kind, categories));
        return this;
    }

    /// <summary>Declares a regression task whose target is the numeric <paramref name="column"/>.</summary>
    /// <exception cref="ArgumentException">A column is already declared.</exception>
    public TabularSchema Regression(string column)
    {
        AddTarget(new TargetColumn(column, TaskKind.Regression, null));
        return this;
    }

    /// <summary>Declares a classification task whose target is the categorical <paramref name="column"/>.</summary>
    /// <param name="column">The column's name (also the task's name).</param>
    /// <param name="classes">The class names in index order; null learns them from the data.</param>
    /// <exception cref="ArgumentException">A column is already declared.</exception>
    public TabularSchema Classification(string column, IReadOnlyList<string>? classes = null)
    {
        AddTarget(new TargetColumn(column, TaskKind.Classification, classes));
        return this;
    }

    /// <summary>True when <paramref name="field"/> is one of the <see cref="MissingMarkers"/>.</summary>
    public bool IsMissing(string field)
    {
        foreach (string m in MissingMarkers)
        {
            if (field == m)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A copy of this schema's settings with <paramref name="inputs"/> and <paramref name="targets"/> as its columns.</summary>
    internal TabularSchema With(IEnumerable<InputColumn> inputs, IEnumerable<TargetColumn> targets)
    {
        var copy = new TabularSchema
        {
            MissingMarkers = MissingMarkers,
            MissingFeatures = MissingFeatures,
            CategoryOrder = CategoryOrder,
            Delimiter = Delimiter,
            TrimFields = TrimFields,
            UnseenCategories = UnseenCategories,
        };
        foreach (var c in inputs)
        {
            copy.AddInput(c);
        }

        foreach (var t in targets)
        {
            copy.AddTarget(t);
        }

        return copy;
    }

    private void AddInput(InputColumn column)
    {
        CheckNew(column.Name);
        _inputs.Add(column);
    }

    private void AddTarget(TargetColumn column)
    {
        CheckNew(column.Name);
        _targets.Add(column);
    }

    private void CheckNew(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_inputs.Any(c => c.Name == name) || _targets.Any(c => c.Name == name))
        {
            throw new ArgumentException($"TabularSchema: column '{name}' is declared twice.", nameof(name));
        }
    }
}
