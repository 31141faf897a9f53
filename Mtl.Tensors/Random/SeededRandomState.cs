namespace Mtl.Tensors;

/// <summary>
/// Everything a <see cref="SeededRandom"/> will draw from: the four xoshiro256** words and the second normal
/// variate of the last polar-method pair, if it has not been returned yet. Restoring it continues the
/// sequence exactly where it was taken (for checkpoints of anything that draws random numbers).
/// </summary>
/// <param name="S0">Word 0 of the xoshiro state.</param>
/// <param name="S1">Word 1.</param>
/// <param name="S2">Word 2.</param>
/// <param name="S3">Word 3.</param>
/// <param name="SpareNormal">The cached normal variate (meaningful only with <paramref name="HasSpareNormal"/>).</param>
/// <param name="HasSpareNormal">Whether the next <see cref="SeededRandom.NextNormal"/> returns <paramref name="SpareNormal"/>.</param>
public readonly record struct SeededRandomState(ulong S0, ulong S1, ulong S2, ulong S3, double SpareNormal, bool HasSpareNormal);
