using System.Numerics;
using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// Computes the per-task gradients of a step into buffers kept from step to step (one set of rows per number of
/// tasks present and row length), so that a trainer's gradient-level step allocates nothing that grows with the
/// model or the batch. The losses must have been validated (distinct tasks, scalars).
/// </summary>
internal sealed class TaskGradientWorkspace<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Var<T>[] _shared;
    private readonly int[] _offsets;
    private readonly T[]?[] _prior;
    private readonly bool[] _held;
    private readonly Var<T>[] _representationParameter = new Var<T>[1];
    private readonly Dictionary<(int Tasks, int Length), Slot> _slots = [];
    private readonly int[] _representationOffsets = new int[2];
    private Tensor<T>? _seed;

    /// <summary>A workspace for these shared parameters (in flattening order).</summary>
    public TaskGradientWorkspace(Var<T>[] sharedParameters)
    {
        _shared = sharedParameters;
        _offsets = new int[_shared.Length + 1];
        for (int p = 0; p < _shared.Length; p++)
        {
            _offsets[p + 1] = _offsets[p] + _shared[p].Shape.Length;
        }

        _prior = new T[]?[_shared.Length];
        _held = new bool[_shared.Length];
    }

    /// <summary>
    /// Rows ∇_θ Jₜ on the shared parameters: one backward pass per loss with the graph retained, the shared
    /// gradients copied out and cleared after each; the gradients the shared parameters held before are put back
    /// (gradient accumulation over micro-batches still works), head parameters accumulate their own task's
    /// gradient. Releases the tape at the end.
    /// </summary>
    public TaskGradientSet<T> OnParameters(IReadOnlyList<TaskLoss<T>> losses)
    {
        var slot = SlotFor(losses, _offsets[^1]);
        for (int p = 0; p < _shared.Length; p++)
        {
            _held[p] = false;
            if (_shared[p].Grad is { } held)
            {
                _held[p] = true;
                var saved = _prior[p] is { } buffer && buffer.Length == held.Length ? buffer : _prior[p] = new T[held.Length];
                held.ReadOnlySpan.CopyTo(saved);
            }
        }

        foreach (var p in _shared)
        {
            p.ZeroGrad();
        }

        for (int i = 0; i < losses.Count; i++)
        {
            var row = slot.Rows[i];
            Array.Clear(row);
            var loss = losses[i].Loss;
            if (!loss.RequiresGrad)
            {
                continue;
            }

            loss.Backward(retainGraph: true);
            for (int p = 0; p < _shared.Length; p++)
            {
                if (_shared[p].Grad is { } grad)
                {
                    grad.ReadOnlySpan.CopyTo(row.AsSpan(_offsets[p]));
                    grad.Clear();
                }
            }
        }

        for (int p = 0; p < _shared.Length; p++)
        {
            if (_held[p])
            {
                _prior[p].AsSpan().CopyTo(_shared[p].Grad!.Span);
            }
        }

        Tape.Current.Release();
        slot.Set.Reset(slot.Tasks, slot.Losses, slot.Rows, _shared, _offsets, representation: null, seed: null);
        return slot.Set;
    }

    /// <summary>
    /// Rows ∇_z Jₜ on the shared representation: <paramref name="detached"/> is z detached as a leaf that requires
    /// grad (the heads' input), <paramref name="representation"/> z itself. One backward pass per loss through its
    /// head only, z's gradient copied out and cleared after each. Applying the set's combination runs the one
    /// backward pass from z through the trunk. The tape stays live until then.
    /// </summary>
    public TaskGradientSet<T> OnRepresentation(IReadOnlyList<TaskLoss<T>> losses, Var<T> representation, Var<T> detached)
    {
        int length = detached.Shape.Length;
        var slot = SlotFor(losses, length);
        // Each task's backward accumulates straight into its row: the row is z's gradient buffer for that pass,
        // zeroed lazily (the first op to write it overwrites), so no copy is made. A task whose loss does not
        // reach z leaves the zeroing pending, and reading Grad carries it out.
        var rows = slot.RowTensors(detached.Shape);
        for (int i = 0; i < losses.Count; i++)
        {
            detached.Grad = rows[i];
            detached.ZeroGrad();
            var loss = losses[i].Loss;
            if (loss.RequiresGrad)
            {
                loss.Backward(retainGraph: true);
            }

            _ = detached.Grad;
        }

        detached.Grad = null;

        if (_seed is null || _seed.Shape != representation.Shape)
        {
            _seed = new Tensor<T>(representation.Shape);
        }

        _representationOffsets[1] = length;
        _representationParameter[0] = detached;
        slot.Set.Reset(slot.Tasks, slot.Losses, slot.Rows, _representationParameter, _representationOffsets, representation, _seed);
        return slot.Set;
    }

    /// <summary>The buffers for this many tasks and this row length, filled with the tasks' names and loss values.</summary>
    private Slot SlotFor(IReadOnlyList<TaskLoss<T>> losses, int length)
    {
        for (int i = 0; i < losses.Count; i++)
        {
            if (losses[i].Loss.Shape.Length != 1)
            {
                throw new ArgumentException($"task gradients: the term of task '{losses[i].Task}' has shape {losses[i].Loss.Shape}; expected a scalar.", nameof(losses));
            }
        }

        if (!_slots.TryGetValue((losses.Count, length), out var slot))
        {
            slot = new Slot(losses.Count, length);
            _slots[(losses.Count, length)] = slot;
        }

        for (int i = 0; i < losses.Count; i++)
        {
            slot.Tasks[i] = losses[i].Task;
            slot.Losses[i] = double.CreateTruncating(losses[i].Loss.Item());
        }

        return slot;
    }

    /// <summary>Rows, names and loss values for one number of tasks and row length, and the set over them.</summary>
    private sealed class Slot
    {
        private Tensor<T>[] _rowTensors = [];

        public Slot(int tasks, int length)
        {
            Tasks = new string[tasks];
            Losses = new double[tasks];
            Rows = new T[tasks][];
            for (int i = 0; i < tasks; i++)
            {
                Rows[i] = new T[length];
            }

            Set = new TaskGradientSet<T>(Tasks, Losses, Rows, [], [0]);
        }

        public string[] Tasks { get; }

        public double[] Losses { get; }

        /// <summary>The rows, in the model's precision (a Gram-based method never widens them).</summary>
        public T[][] Rows { get; }

        public TaskGradientSet<T> Set { get; }

        /// <summary>The rows as tensors of <paramref name="shape"/> over the same memory (made once per shape).</summary>
        public Tensor<T>[] RowTensors(Shape shape)
        {
            if (_rowTensors.Length != Rows.Length || _rowTensors[0].Shape != shape)
            {
                _rowTensors = [.. Rows.Select(row => new Tensor<T>(row, 0, shape))];
            }

            return _rowTensors;
        }
    }
}
