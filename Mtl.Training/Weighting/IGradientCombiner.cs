namespace Mtl.Training.Weighting;

/// <summary>
/// A gradient-level multi-task method: from the per-task gradients gᵢ on the shared parameters (each
/// flattened over all of them) it produces the one gradient the optimizer applies to them.
/// </summary>
public interface IGradientCombiner
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>The combined gradient, of the tasks' common length.</summary>
    /// <exception cref="ArgumentException">No gradients, or gradients of different lengths.</exception>
    double[] Combine(IReadOnlyList<double[]> taskGradients);
}
