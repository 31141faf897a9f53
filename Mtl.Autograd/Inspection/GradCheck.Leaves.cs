namespace Mtl.Autograd;

public static partial class GradCheck
{
    /// <summary>
    /// Checks the gradients of <paramref name="function"/> with respect to existing leaves, typically a
    /// module's own parameters (and an input), so a layer is checked exactly as it is wired: each leaf's
    /// <see cref="Var{T}.Data"/> is perturbed in place and restored. The leaves' accumulated gradients
    /// are left as they were before the check.
    /// </summary>
    /// <param name="function">The function; it must read the leaves and be deterministic.</param>
    /// <param name="leaves">Leaves that require grad.</param>
    /// <param name="options">Tolerances; torch's defaults when null.</param>
    /// <exception cref="ArgumentException">A value is not a leaf, or does not require grad.</exception>
    public static GradCheckReport Run(Func<Var<double>> function, IReadOnlyList<Var<double>> leaves, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(leaves);
        var all = leaves.ToArray();
        foreach (var leaf in all)
        {
            if (!leaf.IsLeaf || !leaf.RequiresGrad)
            {
                throw new ArgumentException($"gradcheck: {leaf.Describe()} must be a leaf that requires grad.", nameof(leaves));
            }
        }

        if (all.Distinct(ReferenceEqualityComparer.Instance).Count() != all.Length)
        {
            throw new ArgumentException("gradcheck: a leaf is listed twice.", nameof(leaves));
        }

        var saved = all.Select(l => l.Grad?.ToArray()).ToArray();
        foreach (var leaf in all)
        {
            leaf.ZeroGrad();
        }

        try
        {
            return Compare(function, all, options ?? new GradCheckOptions());
        }
        finally
        {
            for (int i = 0; i < all.Length; i++)
            {
                if (saved[i] is { } g)
                {
                    g.CopyTo(all[i].Grad!.Span);
                }
                else
                {
                    all[i].ZeroGrad();
                }
            }
        }
    }
}
