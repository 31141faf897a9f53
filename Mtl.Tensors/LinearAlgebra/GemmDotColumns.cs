namespace Mtl.Tensors;

/// <summary>
/// How many columns of C (rows of B) one call of <see cref="GemmDotKernel512"/> computes, as a type so
/// that the JIT compiles one loop per width with no test inside it.
/// </summary>
internal interface IDotColumns
{
    /// <summary>True for 4 columns, false for 2.</summary>
    static abstract bool Four { get; }
}

/// <summary>Blocks of 4 columns: 16 FMAs per 8 loads.</summary>
internal readonly struct FourColumns : IDotColumns
{
    /// <inheritdoc/>
    public static bool Four => true;
}

/// <summary>The last 1 or 2 columns of an n ≡ 1, 2 (mod 4), which a 4-wide block would compute twice over.</summary>
internal readonly struct TwoColumns : IDotColumns
{
    /// <inheritdoc/>
    public static bool Four => false;
}
