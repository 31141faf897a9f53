namespace Mtl.Training.Weighting;

/// <summary>
/// A gradient-level multi-task method: from the per-task gradients gᵢ on the shared parameters (each
/// flattened over all of them) it produces the one gradient the optimizer applies to them. It works in
/// float64 whatever the model's element type, and enters training through
/// <see cref="TrainerOptions{T}.GradientCombiner"/> (paired with any loss weighting by
/// <see cref="WeightedCombination{T}"/>).
/// </summary>
/// <remarks>A task whose gradient is exactly zero in every entry — it had no labelled row in the batch, or
/// its loss does not reach the shared parameters — has no direction to offer, and a combiner leaves it out
/// rather than letting it pull the result to zero (MGDA) or scale it down (a mean). The trainer already
/// leaves such tasks out of the step; this keeps a combiner called directly equally safe.</remarks>
public interface IGradientCombiner
{
    /// <summary>A short name for logs.</summary>
    string Name { get; }

    /// <summary>The combined gradient, of the tasks' common length.</summary>
    /// <exception cref="ArgumentException">No gradients, or gradients of different lengths.</exception>
    double[] Combine(IReadOnlyList<double[]> taskGradients);

    /// <summary>
    /// <see cref="Combine"/> written into <paramref name="destination"/> (of the gradients' length), so that a
    /// trainer's step allocates nothing for it. The default combines and copies; the library's combiners
    /// override it to work in place.
    /// </summary>
    void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> destination) => Combine(taskGradients).CopyTo(destination);

    /// <summary>
    /// <see cref="CombineInto(IReadOnlyList{double[]}, Span{double})"/> told which task each row belongs to, for a
    /// combiner that keeps per-task state (GradVac's cosine targets) and must recognise a task when another sits a
    /// step out. The trainer calls this one; the default ignores the names.
    /// </summary>
    /// <param name="tasks">The task of each row, in the rows' order.</param>
    /// <param name="taskGradients">The rows.</param>
    /// <param name="destination">The combination, of the rows' length.</param>
    void CombineInto(IReadOnlyList<string> tasks, IReadOnlyList<double[]> taskGradients, Span<double> destination) => CombineInto(taskGradients, destination);

    /// <summary>Writes the state that carries over from step to step (a random generator, moving averages).</summary>
    void SaveState(MethodState state)
    {
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote, checking all of it before changing anything.</summary>
    /// <exception cref="KeyNotFoundException">An entry is missing.</exception>
    /// <exception cref="InvalidDataException">An entry has the wrong kind, length or value.</exception>
    void LoadState(MethodState state)
    {
    }
}
