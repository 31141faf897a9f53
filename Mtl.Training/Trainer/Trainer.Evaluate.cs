using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;
using Mtl.Training.Metrics;

namespace Mtl.Training;

// Evaluation and prediction: evaluation mode, no gradients, batches in row order.
public sealed partial class Trainer<T>
{
    // (μ, σ) of each regression task's targets in the last Fit's training data, or null where they were not
    // scaled; null as a whole before any Fit (a model restored from a checkpoint), when nothing can be checked.
    private Dictionary<string, (double Mean, double Std)?>? _trainedTargetScaling;

    /// <summary>Losses and metrics per task on <paramref name="data"/> (evaluation mode, no gradients).
    /// Losses are in the units the model was trained in; regression metrics (MSE, RMSE, MAE, R²) are in the
    /// original units: for a task with a scaler in <see cref="MultiTaskDataset{T}.TargetScalers"/> both the
    /// predictions and the targets are mapped back through its inverse.</summary>
    /// <exception cref="ArgumentException">After <c>Fit</c>, a regression task's targets are scaled differently
    /// from the training data's (for example left in original units when training standardised them).</exception>
    /// <exception cref="InvalidOperationException">Another thread is training or evaluating the model.</exception>
    public EvaluationResult Evaluate(MultiTaskDataset<T> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        RequireSingleInput("Evaluate");
        using var guard = TrainingGuard.Enter("Trainer.Evaluate", exclusive: false, (_module, "the model"));
        CheckTasks(data, "evaluation");
        CheckTargetScaling(data, "evaluation");
        return Score(Predict(data), task => data);
    }

    /// <summary>Each task's loss and metrics from its predictions and the targets of the same rows in the data set
    /// <paramref name="dataOf"/> gives for the trainer's task index (regression metrics in original units where that
    /// data set carries the task's scaler).</summary>
    private EvaluationResult Score(IReadOnlyDictionary<string, Tensor<T>> predictions, Func<int, MultiTaskDataset<T>> dataOf)
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
                var data = dataOf(i);
                var target = data.Task(task.Name);
                var prediction = predictions[task.Name];
                losses[task.Name] = target.PresentCount == 0 ? 0 : double.CreateTruncating(task.LossOf(Var<T>.Constant(prediction), target).Item());
                if (target.Kind == TaskKind.Regression)
                {
                    regression[task.Name] = data.TargetScalers.TryGetValue(task.Name, out var scaler)
                        ? TaskMetrics.Regression(data.OriginalTarget(task.Name), prediction, scaler)
                        : TaskMetrics.Regression(target, prediction);
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
    public TaskPredictions<T> Predict(MultiTaskDataset<T> data)
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

        return new TaskPredictions<T>(result);
    }

    private void RememberTargetScaling(MultiTaskDataset<T> train)
    {
        _trainedTargetScaling = [];
        foreach (var task in _tasks)
        {
            _trainedTargetScaling[task.Name] = ScalingOf(train, task.Name);
        }
    }

    /// <summary>Throws when a regression task's targets in <paramref name="data"/> are scaled otherwise than in training:
    /// its loss and metrics would be silently wrong.</summary>
    private void CheckTargetScaling(MultiTaskDataset<T> data, string role)
    {
        if (_trainedTargetScaling is null)
        {
            return;
        }

        foreach (var (task, trained) in _trainedTargetScaling)
        {
            var given = ScalingOf(data, task);
            if (given != trained)
            {
                throw new ArgumentException(
                    $"Trainer: the {role} targets of task '{task}' are {Describe(given)}, but the model was trained on targets {Describe(trained)}; "
                    + "scale every split with the scaler fitted on the training split (MultiTaskDataset.StandardizeTarget, or TabularPipeline.Transform).",
                    nameof(data));
            }
        }

        static string Describe((double Mean, double Std)? s) =>
            s is var (mu, sigma) ? $"standardised with μ = {mu:G6}, σ = {sigma:G6}" : "in original units (not standardised)";
    }

    private static (double Mean, double Std)? ScalingOf(MultiTaskDataset<T> data, string task) =>
        data.TargetScalers.TryGetValue(task, out var s) ? (s.Mean[0], s.Std[0]) : null;

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
