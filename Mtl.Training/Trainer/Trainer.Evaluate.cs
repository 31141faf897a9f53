using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Metrics;

namespace Mtl.Training;

// Evaluation and prediction: evaluation mode, no gradients, batches in row order.
public sealed partial class Trainer<T>
{
    /// <summary>Losses and metrics per task on <paramref name="data"/> (evaluation mode, no gradients).</summary>
    /// <exception cref="InvalidOperationException">Another thread is training or evaluating the model.</exception>
    public EvaluationResult Evaluate(MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireSingleInput("Evaluate");
        using var guard = TrainingGuard.Enter("Trainer.Evaluate", exclusive: false, (_module, "the model"));
        CheckTasks(data, "evaluation");
        return Score(Predict(data), task => data.Task(_tasks[task].Name));
    }

    /// <summary>Each task's loss and metrics from its predictions and the targets of the same rows (<paramref name="targets"/>
    /// of the trainer's task index).</summary>
    private EvaluationResult Score(IReadOnlyDictionary<string, Tensor<T>> predictions, Func<int, TaskTarget<T>> targets)
    {
        var losses = new Dictionary<string, double>();
        var regression = new Dictionary<string, RegressionReport>();
        var classification = new Dictionary<string, ClassificationReport>();
        var multiLabel = new Dictionary<string, MultiLabelReport>();
        using (Tape.NoGrad())
        {
            for (int i = 0; i < _tasks.Count; i++)
            {
                var task = _tasks[i];
                var target = targets(i);
                var prediction = predictions[task.Name];
                losses[task.Name] = target.PresentCount == 0 ? 0 : double.CreateTruncating(task.LossOf(Var<T>.Constant(prediction), target).Item());
                if (target.Kind == TaskKind.Regression)
                {
                    regression[task.Name] = TaskMetrics.Regression(target, prediction);
                }
                else if (target.Kind == TaskKind.MultiLabel)
                {
                    multiLabel[task.Name] = TaskMetrics.MultiLabel(target, prediction);
                }
                else
                {
                    classification[task.Name] = TaskMetrics.Classification(target, prediction);
                }
            }
        }

        return new EvaluationResult(losses, regression, classification) { MultiLabel = multiLabel };
    }

    /// <summary>The model's outputs for every row of <paramref name="data"/>, per task (evaluation mode).</summary>
    /// <exception cref="InvalidOperationException">Another thread is training or evaluating the model.</exception>
    public IReadOnlyDictionary<string, Tensor<T>> Predict(MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = RequireSingleInput("Predict");
        using var guard = TrainingGuard.Enter("Trainer.Predict", exclusive: false, (_module, "the model"));
        bool wasTraining = _module.IsTraining;
        _module.Eval();
        var result = new Dictionary<string, Tensor<T>>();
        try
        {
            using (Tape.NoGrad())
            {
                var batcher = new MiniBatcher<T>(data, _options.EvaluationBatchSize, 0, dropLast: false, shuffle: false);
                foreach (var batch in batcher.Epoch(0))
                {
                    var outputs = model.Forward(Var<T>.Constant(batch.Features));
                    foreach (var task in _tasks)
                    {
                        CopyRows(outputs[task.Name].Data, batch, result, task.Name, data.Rows);
                    }
                }
            }
        }
        finally
        {
            _module.Train(wasTraining);
        }

        return result;
    }

    /// <summary>Writes a batch's output rows into <paramref name="task"/>'s prediction of all <paramref name="rows"/> rows, at the rows' places.</summary>
    private static void CopyRows(Tensor<T> output, Batch<T> batch, Dictionary<string, Tensor<T>> result, string task, int rows)
    {
        int width = output.RowLength;
        if (!result.TryGetValue(task, out var all))
        {
            all = new Tensor<T>(rows, width);
            result[task] = all;
        }

        var src = output.ReadOnlySpan;
        var dst = all.Span;
        for (int i = 0; i < batch.Size; i++)
        {
            src.Slice(i * width, width).CopyTo(dst.Slice(batch.SourceRows[i] * width, width));
        }
    }

    /// <summary>The single-input model, for the overloads that take one data set.</summary>
    /// <exception cref="InvalidOperationException">The model is a multi-input model.</exception>
    private IMultiTaskModel<T> RequireSingleInput(string operation) => _model ?? throw new InvalidOperationException(
        $"Trainer.{operation}: the model {_module.GetType().Name} is a multi-input model (its tasks read different inputs); pass one data set per task (task name → its data set).");

    /// <summary>The multi-input model, for the overloads that take one data set per task.</summary>
    /// <exception cref="InvalidOperationException">The model takes one input for every task.</exception>
    private IMultiInputModel<T> RequireMultiInput(string operation) => _multiInputModel ?? throw new InvalidOperationException(
        $"Trainer.{operation}: the model {_module.GetType().Name} takes one input for every task; pass one data set with every task's targets.");
}
