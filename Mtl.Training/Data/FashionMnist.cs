using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017) as a <see cref="MultiTaskDataset{T}"/>, and the
/// two-items-side-by-side multi-task variant built from it. The bundled files are the 10,000-image test
/// split (data/fashion-mnist); the 60,000-image training split has the same format.
/// </summary>
public static class FashionMnist
{
    /// <summary>The ten class names in label order (from the data set's README).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Images [N, 1, 28, 28] in [0, 1] with one classification task, "label".</summary>
    /// <exception cref="DataFormatException">A file is invalid, the counts differ, or a label is outside 0..9.</exception>
    public static MultiTaskDataset<T> Load<T>(string imagesPath, string labelsPath)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var images = IdxReader.ReadImages<T>(imagesPath);
        int[] labels = IdxReader.ReadLabels(labelsPath);
        if (labels.Length != images.Shape[0])
        {
            throw new DataFormatException($"Fashion-MNIST: '{imagesPath}' has {images.Shape[0]} images but '{labelsPath}' has {labels.Length} labels.");
        }

        int bad = Array.FindIndex(labels, l => l >= ClassNames.Count);
        if (bad >= 0)
        {
            throw new DataFormatException(labelsPath, bad + 1, null, $"label {labels[bad]} is not a Fashion-MNIST class (0..{ClassNames.Count - 1}).");
        }

        var task = TaskTarget<T>.Classification("label", labels, ClassNames, Tensor.Ones<T>(labels.Length));
        return new MultiTaskDataset<T>(images, [], [], [], [task]);
    }

    /// <summary>
    /// A two-task data set: each example puts two different items of <paramref name="source"/> side by
    /// side, [count, 1, H, 2W], with tasks "left" and "right" labelling each half. The pairs are drawn
    /// from <paramref name="seed"/>: the left item uniformly, the right item uniformly among the others.
    /// The two labels are independent, so a shared trunk must learn to attend to position.
    /// </summary>
    /// <param name="source">Images [N, 1, H, W] with a classification task.</param>
    /// <param name="count">Examples to build.</param>
    /// <param name="seed">Seed of the pairing.</param>
    /// <param name="task">The source's task to label each half with.</param>
    /// <exception cref="ArgumentException">The source is not [N, 1, H, W] with at least two rows, or the task is not classification.</exception>
    public static MultiTaskDataset<T> SideBySide<T>(MultiTaskDataset<T> source, int count, ulong seed, string task = "label")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var labels = source.Task(task);
        var s = source.Features;
        if (s.Rank != 4 || s.Shape[1] != 1 || s.Shape[0] < 2 || labels.Classes is null)
        {
            throw new ArgumentException($"SideBySide: need images [N >= 2, 1, H, W] and a classification task, got {s.Shape} and a {labels.Kind} task '{task}'.", nameof(source));
        }

        int n = s.Shape[0], h = s.Shape[2], w = s.Shape[3];
        var images = new Tensor<T>(count, 1, h, 2 * w);
        var left = new int[count];
        var right = new int[count];
        var leftMask = new Tensor<T>(count);
        var rightMask = new Tensor<T>(count);
        var random = new SeededRandom(seed);
        var src = s.ReadOnlySpan;
        var dst = images.Span;
        for (int i = 0; i < count; i++)
        {
            int a = random.NextInt(n);
            int b = random.NextInt(n - 1);
            b += b >= a ? 1 : 0;
            for (int y = 0; y < h; y++)
            {
                int row = ((i * h) + y) * 2 * w;
                src.Slice(((a * h) + y) * w, w).CopyTo(dst.Slice(row, w));
                src.Slice(((b * h) + y) * w, w).CopyTo(dst.Slice(row + w, w));
            }

            left[i] = labels.Classes[a];
            right[i] = labels.Classes[b];
            leftMask[i] = labels.Mask[a];
            rightMask[i] = labels.Mask[b];
        }

        return new MultiTaskDataset<T>(
            images,
            [],
            [],
            [],
            [
                TaskTarget<T>.Classification("left", left, labels.ClassNames, leftMask),
                TaskTarget<T>.Classification("right", right, labels.ClassNames, rightMask),
            ]);
    }
}
