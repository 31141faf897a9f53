using Mtl.Autograd;
using Mtl.Training.Data;
using Mtl.Training.Weighting;

namespace Mtl.Training;

// Task affinity by lookahead (Fifty et al. 2021, TAG), measured on a training step's batch between the
// per-task gradients and the update: for each task i, step the shared parameters along task i's gradient
// alone, θᵢ' = θ − η·gᵢ, and see how every task j's loss on the batch moves, Zᵢ→ⱼ = 1 − Lⱼ(θᵢ') / Lⱼ(θ).
// The losses are taken in evaluation mode (no dropout draws, so the measurement neither adds noise nor
// consumes the model's random numbers) and the parameters are restored bit for bit afterwards.
public sealed partial class Trainer<T>
{
    private void MeasureAffinity(StepInput input, TaskGradientSet<T> set)
    {
        var totals = _affinity!;
        int count = set.Tasks.Count;
        var rowTask = totals.RowTask;
        // The set's rows are the tasks with labelled rows in this batch, in the trainer's order.
        for (int i = 0, r = 0; i < _tasks.Count; i++)
        {
            if (_labelled[i] > 0)
            {
                rowTask[r++] = i;
            }
        }

        // η: the learning rate in force (the first group's); the lookahead is a plain gradient step.
        T rate = T.CreateTruncating(_optimizer.Groups[0].LearningRate);
        totals.Save(_shared);
        bool wasTraining = _module.IsTraining;
        _module.Eval();
        try
        {
            var baseline = totals.Baseline;
            LookaheadLosses(input, rowTask, count, baseline);
            for (int source = 0; source < count; source++)
            {
                for (int p = 0; p < _shared.Count; p++)
                {
                    var parameter = _shared[p];
                    var saved = totals.Saved(p);
                    var gradient = set.Slice(source, parameter);
                    var data = parameter.Data.Span;
                    for (int e = 0; e < data.Length; e++)
                    {
                        data[e] = saved[e] - rate * T.CreateTruncating(gradient[e]);
                    }
                }

                var after = totals.After;
                LookaheadLosses(input, rowTask, count, after);
                for (int target = 0; target < count; target++)
                {
                    // A task whose loss is already 0 on the batch cannot be lowered by any fraction of itself.
                    if (baseline[target] > 0)
                    {
                        totals.Add(rowTask[source], rowTask[target], 1 - (after[target] / baseline[target]));
                    }
                }
            }

            totals.StepMeasured();
        }
        finally
        {
            totals.Restore(_shared);
            if (wasTraining)
            {
                _module.Train();
            }
        }
    }

    /// <summary>The losses of the set's tasks on <paramref name="input"/> at the parameters in place, in float64.</summary>
    private void LookaheadLosses(StepInput input, int[] rowTask, int count, double[] destination)
    {
        using (Tape.NoGrad())
        {
            var outputs = input.Forward();
            for (int r = 0; r < count; r++)
            {
                var task = _tasks[rowTask[r]];
                destination[r] = double.CreateTruncating(task.LossOf(outputs[task.Name], input.Target(rowTask[r])).Item());
            }
        }
    }

    /// <summary>The sums of Zᵢ→ⱼ over an epoch's measured steps, and the buffers a measurement reuses.</summary>
    private sealed class AffinityTotals
    {
        private readonly double[,] _sum;
        private readonly int[,] _count;
        private readonly T[][] _saved;
        private int _steps;

        public AffinityTotals(int tasks, IReadOnlyList<Var<T>> shared)
        {
            _sum = new double[tasks, tasks];
            _count = new int[tasks, tasks];
            _saved = [.. shared.Select(p => new T[p.Data.Length])];
            RowTask = new int[tasks];
            Baseline = new double[tasks];
            After = new double[tasks];
        }

        /// <summary>Row r of the gradient set is task RowTask[r] of the trainer.</summary>
        public int[] RowTask { get; }

        public double[] Baseline { get; }

        public double[] After { get; }

        public ReadOnlySpan<T> Saved(int parameter) => _saved[parameter];

        public void Save(IReadOnlyList<Var<T>> shared)
        {
            for (int p = 0; p < shared.Count; p++)
            {
                shared[p].Data.ReadOnlySpan.CopyTo(_saved[p]);
            }
        }

        public void Restore(IReadOnlyList<Var<T>> shared)
        {
            for (int p = 0; p < shared.Count; p++)
            {
                _saved[p].CopyTo(shared[p].Data.Span);
            }
        }

        public void Add(int source, int target, double affinity)
        {
            _sum[source, target] += affinity;
            _count[source, target]++;
        }

        public void StepMeasured() => _steps++;

        /// <summary>The epoch's means (NaN where a pair was never measured), then a fresh start.</summary>
        public TaskAffinityReport EndEpoch(string[] tasks)
        {
            int n = tasks.Length;
            var mean = new double[n, n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    mean[i, j] = _count[i, j] == 0 ? double.NaN : _sum[i, j] / _count[i, j];
                }
            }

            var report = new TaskAffinityReport(tasks, mean, _steps);
            Array.Clear(_sum);
            Array.Clear(_count);
            _steps = 0;
            return report;
        }
    }
}
