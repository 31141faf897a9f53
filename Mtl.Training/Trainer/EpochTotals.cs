namespace Mtl.Training;

/// <summary>Running per-task totals of one epoch: loss sums over the batches in which a task had labelled
/// rows, the number of such batches, and the labelled rows.</summary>
internal sealed class EpochTotals(int tasks)
{
    private readonly double[] _lossSums = new double[tasks];
    private readonly int[] _batches = new int[tasks];
    private readonly long[] _rows = new long[tasks];

    /// <summary>Records task <paramref name="task"/>'s labelled rows in a batch.</summary>
    public void AddRows(int task, int rows) => _rows[task] += rows;

    /// <summary>Records task <paramref name="task"/>'s loss in a batch where it had labelled rows.</summary>
    public void AddLoss(int task, double loss)
    {
        _lossSums[task] += loss;
        _batches[task]++;
    }

    /// <summary>The mean loss of the task over its batches, NaN without any.</summary>
    public double MeanLoss(int task) => _batches[task] == 0 ? double.NaN : _lossSums[task] / _batches[task];

    /// <summary>The task's labelled rows.</summary>
    public long Rows(int task) => _rows[task];
}
