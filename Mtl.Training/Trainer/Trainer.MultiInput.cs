using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training.Data;

namespace Mtl.Training;

// Models whose tasks read different inputs (IMultiInputModel): one data set per task, and a step that takes a
// mini-batch of every task's data set (LibMTL's multi_input mode) or of one task chosen by a TaskSampler. The step,
// the methods, the schedules and early stopping are the single-input ones (Trainer.cs, Trainer.Step.cs).
public sealed partial class Trainer<T>
{
    /// <summary>Trains a multi-input model on one data set per task, validating on one data set per task after each epoch.</summary>
    /// <param name="train">Task name → that task's training data set, which must hold the task's targets (any other
    /// targets it holds are not read). Every trained task needs one.</param>
    /// <param name="validation">Task name → that task's validation data set, or null.</param>
    /// <remarks>
    /// <para>Steps: by default (<see cref="TrainerOptions{T}.MultiInputSampling"/> null) each step takes the next
    /// mini-batch of every task's data set, so the method sees every task's loss (and, for gradient methods, every
    /// task's gradient on the shared block) at every step, as LibMTL's multi-input mode does. An epoch is as many steps
    /// as the task with the most batches has; a task with fewer starts its next pass, freshly shuffled, when its
    /// batches run out, and carries on across epochs, so that every task's rows are visited equally often. With
    /// <see cref="TrainerOptions{T}.MultiInputSampling"/> set, each step takes one task's next batch, the task chosen
    /// round-robin or in proportion to its rows (the other tasks leave that step); an epoch is then as many steps as
    /// all tasks have batches together.</para>
    /// <para>Task k (in the trainer's task order) has its batches shuffled with seed <see cref="TrainerOptions{T}.Seed"/>
    /// + k + 1, its n-th pass with that seed's n-th epoch order; the task choice uses <see cref="TrainerOptions{T}.Seed"/>.</para>
    /// <para>If training fails after early stopping has recorded a best epoch, the best parameters are restored
    /// before the exception leaves.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A trained task has no data set, a data set names a task that is not trained,
    /// a data set has no rows or lacks its task's targets, its features do not fit the task's input, a batch cannot be
    /// formed, or early stopping watches a metric that is not reported; the message names the task.</exception>
    /// <exception cref="InvalidOperationException">The model takes one input for every task, training diverged, or
    /// another thread is training the same model.</exception>
    public TrainingHistory Fit(IReadOnlyDictionary<string, MultiTaskDataset<T>> train, IReadOnlyDictionary<string, MultiTaskDataset<T>>? validation = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        var model = RequireMultiInput("Fit");
        using var guard = EnterFit();
        CheckTaskData(train, "training", model);
        if (validation is not null)
        {
            CheckTaskData(validation, "validation", model);
        }

        CheckEarlyStopping(validation is not null);
        var streams = new TaskStream[_tasks.Count];
        for (int k = 0; k < streams.Length; k++)
        {
            string name = _tasks[k].Name;
            var batcher = new MiniBatcher<T>(train[name], _options.BatchSize, unchecked(_options.Seed + (ulong)(k + 1)), _options.DropLast);
            if (batcher.BatchesPerEpoch == 0)
            {
                throw new ArgumentException($"Trainer: DropLast with BatchSize {_options.BatchSize} drops every batch of the {batcher.Data.Rows} training rows of task '{name}'; lower BatchSize or turn DropLast off.", nameof(train));
            }

            streams[k] = new TaskStream(batcher);
        }

        var sampler = _options.MultiInputSampling is { } mode ? new TaskSampler([.. streams.Select(s => s.Batcher.Data.Rows)], mode, _options.Seed) : null;
        int steps = sampler is null ? streams.Max(s => s.Batcher.BatchesPerEpoch) : streams.Sum(s => s.Batcher.BatchesPerEpoch);
        var input = new TaskInputs(model, _tasks);
        return Run(_ => TaskSteps(streams, sampler, steps, input), validation is null ? null : () => Evaluate(validation));
    }

    /// <summary>Losses and metrics per task, each on its own data set (evaluation mode, no gradients).</summary>
    /// <param name="data">Task name → that task's data set, with its targets; every trained task needs one.</param>
    /// <exception cref="ArgumentException">A task has no data set, or a data set is empty, lacks its task's targets, names
    /// a task that is not trained, or does not fit the task's input.</exception>
    /// <exception cref="InvalidOperationException">The model takes one input for every task, or another thread is
    /// training or evaluating the model.</exception>
    public EvaluationResult Evaluate(IReadOnlyDictionary<string, MultiTaskDataset<T>> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = RequireMultiInput("Evaluate");
        using var guard = TrainingGuard.Enter("Trainer.Evaluate", exclusive: false, (_module, "the model"));
        CheckTaskData(data, "evaluation", model);
        return Score(Predict(data), task => data[_tasks[task].Name]);
    }

    /// <summary>The model's outputs for every row of each task's data set (evaluation mode), for the tasks that
    /// have one in <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">A data set names a task that is not trained, is empty, or does not fit the task's input.</exception>
    /// <exception cref="InvalidOperationException">The model takes one input for every task, or another thread is
    /// training or evaluating the model.</exception>
    public IReadOnlyDictionary<string, Tensor<T>> Predict(IReadOnlyDictionary<string, MultiTaskDataset<T>> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = RequireMultiInput("Predict");
        using var guard = TrainingGuard.Enter("Trainer.Predict", exclusive: false, (_module, "the model"));
        CheckTaskData(data, "prediction", model);
        bool wasTraining = _module.IsTraining;
        _module.Eval();
        var result = new Dictionary<string, Tensor<T>>();
        var inputs = new Dictionary<string, Var<T>>(1, StringComparer.Ordinal);
        try
        {
            using (Tape.NoGrad())
            {
                foreach (var task in _tasks)
                {
                    if (!data.TryGetValue(task.Name, out var set))
                    {
                        continue;
                    }

                    var batcher = new MiniBatcher<T>(set, _options.EvaluationBatchSize, 0, dropLast: false, shuffle: false);
                    foreach (var batch in batcher.Epoch(0))
                    {
                        inputs.Clear();
                        inputs[task.Name] = Var<T>.Constant(batch.Features);
                        CopyRows(model.Forward(inputs)[task.Name].Data, batch, result, task.Name, set.Rows);
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

    /// <summary>An epoch's steps over the tasks' endless batch streams.</summary>
    private static IEnumerable<StepInput> TaskSteps(TaskStream[] streams, TaskSampler? sampler, int steps, TaskInputs input)
    {
        for (int b = 0; b < steps; b++)
        {
            int chosen = sampler?.Next() ?? -1;
            for (int k = 0; k < streams.Length; k++)
            {
                input.Set(k, sampler is null || k == chosen ? streams[k].Next() : null);
            }

            input.Index = b;
            yield return input;
        }
    }

    /// <summary>
    /// One data set per task: none for an unknown task; one for every trained task, except for prediction; rows, the
    /// task's targets (except for prediction) and, for training and validation, the loss's fit to them; and the
    /// features' fit to the task's input.
    /// </summary>
    private void CheckTaskData(IReadOnlyDictionary<string, MultiTaskDataset<T>> data, string role, IMultiInputModel<T> model)
    {
        foreach (var name in data.Keys)
        {
            if (!_tasks.Any(t => t.Name == name))
            {
                throw new ArgumentException($"Trainer: the {role} data has a data set for '{name}', which is not a task this trainer trains (tasks: {string.Join(", ", _tasks.Select(t => t.Name))}).", nameof(data));
            }
        }

        bool prediction = role == "prediction";
        foreach (var task in _tasks)
        {
            if (!data.TryGetValue(task.Name, out var set) || set is null)
            {
                if (prediction)
                {
                    continue;
                }

                throw new ArgumentException($"Trainer: the {role} data has no data set for task '{task.Name}' (it has data sets for: {string.Join(", ", data.Keys)}).", nameof(data));
            }

            if (set.Rows == 0)
            {
                throw new ArgumentException($"Trainer: the {role} data set of task '{task.Name}' has no rows.", nameof(data));
            }

            if (!prediction)
            {
                if (!set.Tasks.Any(d => d.Name == task.Name))
                {
                    throw new ArgumentException($"Trainer: the {role} data set of task '{task.Name}' has no targets for it (it has targets for: {string.Join(", ", set.Tasks.Select(d => d.Name))}).", nameof(data));
                }

                if (role != "evaluation")
                {
                    task.CheckTarget(set.Task(task.Name));
                }
            }

            CheckInput(model, task.Name, set, role);
        }
    }

    /// <summary>
    /// A forward pass of <paramref name="data"/>'s first row as <paramref name="task"/>'s input, so that features the
    /// task's encoder cannot read are reported by task before anything is trained. Evaluation mode without gradients:
    /// no dropout draw, no running statistic moves, nothing recorded.
    /// </summary>
    private void CheckInput(IMultiInputModel<T> model, string task, MultiTaskDataset<T> data, string role)
    {
        bool wasTraining = _module.IsTraining;
        _module.Eval();
        try
        {
            using (Tape.NoGrad())
            {
                var inputs = new Dictionary<string, Var<T>>(1, StringComparer.Ordinal) { [task] = Var<T>.Constant(Tensor.Gather(data.Features, [0])) };
                _ = model.Forward(inputs);
            }
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Trainer: the {role} data set of task '{task}' does not fit the model's input for that task (features {data.Features.Shape}): {e.Message}", nameof(data), e);
        }
        finally
        {
            _module.Train(wasTraining);
        }
    }
}
