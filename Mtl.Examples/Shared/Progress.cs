using Mtl.Training;

namespace Mtl.Examples;

/// <summary>Progress lines while training: <see cref="EpochReport.ToString"/> (losses, validation metrics, time, ETA).</summary>
public static class Progress
{
    /// <summary>Prints the report of the first and last epoch and of every <paramref name="every"/>-th one, prefixed with <paramref name="label"/>.</summary>
    public static void Attach<T>(Trainer<T> trainer, TextWriter output, string label, int every = 1)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(output);
        trainer.EpochEnded += report =>
        {
            if (report.Epoch == 1 || report.Epoch == report.Epochs || report.Epoch % every == 0)
            {
                output.WriteLine($"[{label}] {report}");
            }
        };
    }

    /// <summary>An interval that prints about <paramref name="lines"/> lines over <paramref name="epochs"/> epochs.</summary>
    public static int Interval(int epochs, int lines = 10) => Math.Max(1, epochs / lines);
}
