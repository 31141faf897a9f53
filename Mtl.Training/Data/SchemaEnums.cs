namespace Mtl.Training.Data;

/// <summary>How a categorical input column reaches the model.</summary>
public enum CategoricalEncoding
{
    /// <summary>One 0/1 feature column per category, named <c>column=category</c>, in the feature matrix.</summary>
    OneHot,

    /// <summary>An integer index per row, kept beside the feature matrix, for an embedding table.</summary>
    EmbeddingIndex,
}

/// <summary>The order in which categories learned from the data are numbered.</summary>
public enum CategoryOrder
{
    /// <summary>Ordinal (culture-independent) string order, as scikit-learn's encoders and R's factors use;
    /// the numbering then does not depend on the order of the rows.</summary>
    Sorted,

    /// <summary>The order in which values first appear in the file (pandas' <c>factorize</c>).</summary>
    FirstAppearance,
}

/// <summary>What to do with a row whose input (feature) value is missing.</summary>
public enum MissingFeaturePolicy
{
    /// <summary>Throw a <see cref="DataFormatException"/> naming the row and column.</summary>
    Error,

    /// <summary>Leave the row out; the dataset reports which file rows were dropped.</summary>
    DropRow,
}

/// <summary>How an input column is turned into model input.</summary>
public enum InputKind
{
    /// <summary>One feature column holding the parsed number.</summary>
    Numeric,

    /// <summary>One 0/1 feature column per category.</summary>
    OneHot,

    /// <summary>An integer index per row, beside the features.</summary>
    EmbeddingIndex,
}

/// <summary>What a fitted <see cref="TabularPipeline"/> does with a categorical value it did not see when fitted.</summary>
public enum UnseenCategoryPolicy
{
    /// <summary>Throw a <see cref="DataFormatException"/> naming the file, row, column and value.</summary>
    Error,

    /// <summary>Map it to an extra category, <see cref="TabularSchema.UnknownCategory"/>, added when fitting
    /// (for inputs only; an unseen class of a classification target is still an error).</summary>
    UnknownBucket,
}
