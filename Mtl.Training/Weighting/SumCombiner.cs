namespace Mtl.Training.Weighting;

/// <summary>d = Σ gᵢ: exactly the gradient of the summed loss (the baseline of every other combiner).</summary>
public sealed class SumCombiner : IGradientCombiner
{
    /// <inheritdoc />
    public string Name => "sum";

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients)
    {
        FlatVectors.Check(Name, taskGradients);
        var d = new double[taskGradients[0].Length];
        CombineInto(taskGradients, d);
        return d;
    }

    /// <inheritdoc />
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> destination)
    {
        FlatVectors.Check(Name, taskGradients);
        destination.Clear();
        foreach (var g in taskGradients)
        {
            TensorPrimitives.Add(destination, g, destination);
        }
    }
}
