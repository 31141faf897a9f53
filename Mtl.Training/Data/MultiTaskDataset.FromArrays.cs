using System.Globalization;
using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// Builds a <see cref="MultiTaskDataset{T}"/> from in-memory arrays without the full constructor:
/// features [N, F] (named <c>x0 … x{F−1}</c>, all scalable) or any [N, …] tensor, and one target per task.
/// Masks are optional: a regression target that is NaN and a class index of −1 count as missing.
/// <code>
/// var data = MultiTaskDataset.FromArrays(x, ("heating", yHeat), ("cooling", yCool));
/// var mixed = MultiTaskDataset.FromArrays(x, TaskTarget&lt;float&gt;.Regression("mass", mass), TaskTarget&lt;float&gt;.Classification("species", classes, 3));
/// </code>
/// </summary>
public static class MultiTaskDataset
{
    /// <summary>A dataset of regression tasks, each given as (name, values [N] or [N, 1]).</summary>
    /// <exception cref="ArgumentException">Row counts disagree or a feature is not finite.</exception>
    public static MultiTaskDataset<T> FromArrays<T>(Tensor<T> features, params (string Name, Tensor<T> Values)[] regression)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(regression);
        return FromArrays(features, [.. regression.Select(r => TaskTarget<T>.Regression(r.Name, r.Values))]);
    }

    /// <summary>A dataset of classification tasks, each given as (name, class indices, number of classes).</summary>
    /// <exception cref="ArgumentException">Row counts disagree or an index is outside the classes.</exception>
    public static MultiTaskDataset<T> FromArrays<T>(Tensor<T> features, params (string Name, int[] Classes, int ClassCount)[] classification)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(classification);
        return FromArrays(features, [.. classification.Select(c => TaskTarget<T>.Classification(c.Name, c.Classes, c.ClassCount))]);
    }

    /// <summary>A dataset of the given targets (regression and classification may be mixed).</summary>
    /// <exception cref="ArgumentException">Row counts disagree, a task name repeats, or a feature is not finite.</exception>
    public static MultiTaskDataset<T> FromArrays<T>(Tensor<T> features, params TaskTarget<T>[] tasks)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(tasks);
        string[] names = features.Rank == 2
            ? [.. Enumerable.Range(0, features.Shape[1]).Select(i => "x" + i.ToString(CultureInfo.InvariantCulture))]
            : [];
        int[] scalable = features.Rank == 2 ? [.. Enumerable.Range(0, features.Shape[1])] : [];
        return new MultiTaskDataset<T>(features, names, scalable, [], tasks);
    }
}
