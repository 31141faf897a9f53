using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Losses;

namespace Mtl.Training;

/// <summary>
/// A task the trainer optimises: its name (the same in the model's outputs and the data set's targets)
/// and its loss.
/// </summary>
/// <param name="Name">The task's name.</param>
/// <param name="Loss">The task's loss; cross-entropy for a classification target given as class indices.</param>
public sealed record TrainingTask<T>(string Name, ITaskLoss<T> Loss)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of <paramref name="prediction"/> against a task target, masked rows excluded.</summary>
    /// <exception cref="ArgumentException">The loss cannot take this kind of target (cross-entropy on a regression target).</exception>
    public Var<T> LossOf(Var<T> prediction, TaskTarget<T> target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        CheckTarget(target);
        if (target.Kind == TaskKind.Regression)
        {
            return Loss.Compute(prediction, target.Values!, target.Mask);
        }

        if (target.Kind == TaskKind.MultiLabel)
        {
            // K attributes, each with its own mask when some are missing.
            return target.AttributeMask is { } known && Loss is ElementwiseLoss<T> elementwise
                ? elementwise.Compute(prediction, target.Values!, target.Mask, known)
                : Loss.Compute(prediction, target.Values!, target.Mask);
        }

        if (Loss is CrossEntropyLoss<T> crossEntropy)
        {
            return crossEntropy.Compute(prediction, target.Classes!, target.Mask);
        }

        // Other losses (e.g. binary cross-entropy with a single logit) take the class index as a number;
        // masked rows hold −1 and are excluded by the mask.
        var classes = target.Classes!;
        var values = new Tensor<T>(classes.Length, 1);
        for (int i = 0; i < classes.Length; i++)
        {
            values[i] = T.CreateTruncating(Math.Max(classes[i], 0));
        }

        return Loss.Compute(prediction, values, target.Mask);
    }

    /// <summary>Throws when the loss cannot take <paramref name="target"/>'s kind: cross-entropy needs class
    /// indices, and a regression target's values are not (a binary cross-entropy may take values in [0, 1]).</summary>
    /// <exception cref="ArgumentException">The kinds do not fit; the message names the task.</exception>
    public void CheckTarget(TaskTarget<T> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Kind == TaskKind.Regression && Loss is CrossEntropyLoss<T>)
        {
            throw new ArgumentException($"Task '{Name}': its target is a regression target (numbers), not a classification target, so {Loss.Name} (which needs class indices) cannot be its loss; use a regression loss such as MseLoss, or load the column as a classification.", nameof(target));
        }

        if (target.Kind == TaskKind.MultiLabel && Loss is not ElementwiseLoss<T>)
        {
            throw new ArgumentException($"Task '{Name}': its target is multi-label ({target.Width} binary attributes per row), so {Loss.Name} cannot be its loss; use BceWithLogitsLoss (one logit per attribute).", nameof(target));
        }
    }
}
