using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Training.Data;

namespace Mtl.Training;

// What one training step reads, whatever the model's inputs: the targets of the tasks and the forward pass that
// gives their outputs. A single-input model reads one batch for every task; a multi-input model one batch per
// task, from the task's own data set. The step itself (Trainer.Step.cs) is the same for both.
public sealed partial class Trainer<T>
{
    /// <summary>One step's data. An object is refilled from step to step (as the batches it holds are).</summary>
    private abstract class StepInput
    {
        /// <summary>The step's 0-based position in its epoch.</summary>
        public int Index { get; set; }

        /// <summary>Rows the step reads, over every batch it holds.</summary>
        public abstract int Rows { get; }

        /// <summary>Labelled rows of the trainer's task <paramref name="task"/> (an index into its tasks) in this step;
        /// 0 when the step holds none of that task's data.</summary>
        public abstract int Labelled(int task);

        /// <summary>The targets of the trainer's task <paramref name="task"/>, for a task with labelled rows.</summary>
        public abstract TaskTarget<T> Target(int task);

        /// <summary>The model's outputs on this step's inputs: at least every task with labelled rows.</summary>
        public abstract TaskOutputs<T> Forward();
    }

    /// <summary>A batch of one data set whose features every task reads.</summary>
    private sealed class SharedInput(IMultiTaskModel<T> model, List<TrainingTask<T>> tasks) : StepInput
    {
        public Batch<T> Batch { get; set; } = null!;

        public override int Rows => Batch.Size;

        public override int Labelled(int task) => Batch.Task(tasks[task].Name).PresentCount;

        public override TaskTarget<T> Target(int task) => Batch.Task(tasks[task].Name);

        public override TaskOutputs<T> Forward() => model.Forward(Var<T>.Constant(Batch.Features));
    }

    /// <summary>A batch of each task's own data set (or of some tasks': a task without one leaves the step).</summary>
    private sealed class TaskInputs(IMultiInputModel<T> model, List<TrainingTask<T>> tasks) : StepInput
    {
        private readonly Batch<T>?[] _batches = new Batch<T>?[tasks.Count];
        private readonly Dictionary<string, Var<T>> _inputs = new(tasks.Count, StringComparer.Ordinal);

        /// <summary>Puts <paramref name="batch"/> (or nothing) as task <paramref name="task"/>'s data of the step.</summary>
        public void Set(int task, Batch<T>? batch) => _batches[task] = batch;

        public override int Rows
        {
            get
            {
                int rows = 0;
                foreach (var batch in _batches)
                {
                    rows += batch?.Size ?? 0;
                }

                return rows;
            }
        }

        public override int Labelled(int task) => _batches[task]?.Task(tasks[task].Name).PresentCount ?? 0;

        public override TaskTarget<T> Target(int task) =>
            (_batches[task] ?? throw new InvalidOperationException($"Trainer: the step holds no data of task '{tasks[task].Name}'.")).Task(tasks[task].Name);

        public override TaskOutputs<T> Forward()
        {
            _inputs.Clear();
            for (int i = 0; i < _batches.Length; i++)
            {
                if (_batches[i] is { } batch)
                {
                    _inputs[tasks[i].Name] = Var<T>.Constant(batch.Features);
                }
            }

            return model.Forward(_inputs);
        }
    }

    /// <summary>
    /// A task's mini-batches without end: its data set's epochs one after another, each with its own seeded shuffle,
    /// so that a task with fewer batches than the longest simply starts its next pass sooner.
    /// </summary>
    private sealed class TaskStream(MiniBatcher<T> batcher)
    {
        private IEnumerator<Batch<T>>? _current;
        private int _passes;

        public MiniBatcher<T> Batcher => batcher;

        public Batch<T> Next()
        {
            if (_current is null || !_current.MoveNext())
            {
                _current?.Dispose();
                _current = batcher.Epoch(_passes++).GetEnumerator();
                _current.MoveNext();
            }

            return _current.Current;
        }
    }
}
