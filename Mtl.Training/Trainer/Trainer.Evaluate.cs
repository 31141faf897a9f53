using Mtl.Autograd;
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
        using var guard = TrainingGuard.Enter("Trainer.Evaluate", exclusive: false, (_module, "the model"));
        CheckTasks(data, "evaluation");
        var predictions = Predict(data);
        var losses = new Dictionary<string, double>();
        var regression = new Dictionary<string, RegressionReport>();
        var classification = new Dictionary<string, ClassificationReport>();
        using (Tape.NoGrad())
        {
            foreach (var task in _tasks)
            {
                var target = data.Task(task.Name);
                var prediction = predictions[task.Name];
                losses[task.Name] = target.PresentCount == 0 ? 0 : double.CreateTruncating(task.LossOf(Var<T>.Constant(prediction), target).Item());
                if (target.Kind == TaskKind.Regression)
                {
                    regression[task.Name] = TaskMetrics.Regression(target, prediction);
                }
                else
                {
                    classification[task.Name] = TaskMetrics.Classification(target, prediction);
                }
            }
        }

        return new EvaluationResult(losses, regression, classification);
    }

    /// <summary>The model's outputs for every row of <paramref name="data"/>, per task (evaluation mode).</summary>
    /// <exception cref="InvalidOperationException">Another thread is training or evaluating the model.</exception>
    public TaskPredictions<T> Predict(MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
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
                    var outputs = _model.Forward(Var<T>.Constant(batch.Features));
                    foreach (var task in _tasks)
                    {
                        var output = outputs[task.Name].Data;
                        int width = output.RowLength;
                        if (!result.TryGetValue(task.Name, out var all))
                        {
                            all = new Tensor<T>(data.Rows, width);
                            result[task.Name] = all;
                        }

                        var src = output.ReadOnlySpan;
                        var dst = all.Span;
                        for (int i = 0; i < batch.Size; i++)
                        {
                            src.Slice(i * width, width).CopyTo(dst.Slice(batch.SourceRows[i] * width, width));
                        }
                    }
                }
            }
        }
        finally
        {
            _module.Train(wasTraining);
        }

        return new TaskPredictions<T>(result);
    }
}
