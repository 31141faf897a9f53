using Mtl.Tensors;

namespace Mtl.Training.Weighting;

/// <summary>
/// Gradient Vaccine (Wang, Tsvetkov, Firat &amp; Cao 2021, "Gradient Vaccine"): like PCGrad it visits, for
/// each task i, the other tasks j in a random order, but instead of only removing conflict it moves gᵢ toward a
/// target cosine φ̂ᵢⱼ, an exponential moving average of the cosines seen so far. With φᵢⱼ = cos(gᵢ', gⱼ) for the
/// current gᵢ', if φᵢⱼ &lt; φ̂ᵢⱼ:
/// gᵢ' ← gᵢ' + gⱼ·‖gᵢ'‖(φ̂ᵢⱼ√(1 − φᵢⱼ²) − φᵢⱼ√(1 − φ̂ᵢⱼ²)) / (‖gⱼ‖√(1 − φ̂ᵢⱼ²)), which makes
/// cos(gᵢ', gⱼ) = φ̂ᵢⱼ; then, whether or not it moved, φ̂ᵢⱼ ← (1 − β)φ̂ᵢⱼ + βφᵢⱼ. d = Σᵢ gᵢ'. The targets start at
/// 0, so the first step of two tasks is PCGrad's.
/// </summary>
/// <remarks>
/// <para>Like <see cref="PCGradCombiner"/> it runs on the Gram matrix (each gᵢ' a combination of the rows). The
/// targets are kept per pair of task names, so the trainer's per-step task list (a task without labels sits a
/// step out) meets the right targets; called without names, the rows must be all the tasks, in order.</para>
/// <para>The targets and the generator are the saved state, so a resumed run continues bit for bit. A task whose
/// gradient is exactly zero is left out and its targets are not updated. A target of exactly ±1 (every cosine so
/// far exactly ±1) has no finite step; the pair is then left alone.</para>
/// </remarks>
public sealed class GradVacCombiner : IGradientCombiner
{
    private readonly string[] _tasks;
    private readonly double[] _targets;
    private readonly SeededRandom _random;

    /// <summary>Creates the combiner.</summary>
    /// <param name="tasks">The tasks, whose pairs get a target each.</param>
    /// <param name="beta">β ∈ (0, 1], the moving average's rate (the paper uses 10⁻²).</param>
    /// <param name="seed">Seed of the visiting orders.</param>
    public GradVacCombiner(IEnumerable<string> tasks, double beta = 0.01, int seed = 0)
    {
        _tasks = TaskIndex.Validate("GradVac", tasks);
        if (!(beta > 0 && beta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "GradVac: β must be in (0, 1].");
        }

        Beta = beta;
        _targets = new double[_tasks.Length * _tasks.Length];
        _random = new SeededRandom(seed);
    }

    /// <summary>β.</summary>
    public double Beta { get; }

    /// <summary>The tasks, in the order of <see cref="Target"/>'s indices.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <inheritdoc />
    public string Name => "gradvac";

    /// <summary>The target cosine φ̂ᵢⱼ of task i's gradient toward task j's.</summary>
    public double Target(int i, int j) => _targets[(i * _tasks.Length) + j];

    /// <inheritdoc />
    public double[] Combine(IReadOnlyList<double[]> taskGradients)
    {
        FlatVectors.Check(Name, taskGradients);
        var d = new double[taskGradients[0].Length];
        CombineInto(taskGradients, d);
        return d;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The rows are not one per task.</exception>
    public void CombineInto(IReadOnlyList<double[]> taskGradients, Span<double> d)
    {
        FlatVectors.Check(Name, taskGradients);
        if (taskGradients.Count != _tasks.Length)
        {
            throw new ArgumentException($"GradVac: {taskGradients.Count} task gradients for {_tasks.Length} tasks ({string.Join(", ", _tasks)}); pass the task names with a subset.", nameof(taskGradients));
        }

        CombineInto(_tasks, taskGradients, d);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A name is not one of the tasks, or appears twice, or the counts differ.</exception>
    public void CombineInto(IReadOnlyList<string> tasks, IReadOnlyList<double[]> taskGradients, Span<double> d)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        FlatVectors.Check(Name, taskGradients);
        if (tasks.Count != taskGradients.Count)
        {
            throw new ArgumentException($"GradVac: {tasks.Count} task names for {taskGradients.Count} task gradients.", nameof(tasks));
        }

        var present = FlatVectors.NonZero(taskGradients);
        var rows = FlatVectors.Rows(taskGradients, present);
        var at = new int[present.Length];
        for (int p = 0; p < present.Length; p++)
        {
            at[p] = TaskIndex.IndexOf(_tasks, tasks[present[p]]);
            if (at[p] < 0 || Array.IndexOf(at, at[p], 0, p) >= 0)
            {
                throw new ArgumentException($"GradVac: task '{tasks[present[p]]}' is unknown or given twice (the tasks: {string.Join(", ", _tasks)}).", nameof(tasks));
            }
        }

        int k = rows.Length;
        int all = _tasks.Length;
        var gram = FlatVectors.Gram(rows);
        var weights = new double[k];
        var c = new double[k];
        for (int i = 0; i < k; i++)
        {
            Array.Clear(c);
            c[i] = 1;
            foreach (int j in _random.Permutation(k))
            {
                if (j == i)
                {
                    continue;
                }

                // ‖gᵢ'‖² = cᵀGc and gᵢ'·gⱼ = (Gc)ⱼ, with gᵢ' = Σₘ cₘgₘ.
                double squared = 0, dot = 0;
                for (int m = 0; m < k; m++)
                {
                    dot += c[m] * gram[m, j];
                    for (int n = 0; n < k; n++)
                    {
                        squared += c[m] * gram[m, n] * c[n];
                    }
                }

                double norm = Math.Sqrt(squared), normJ = Math.Sqrt(gram[j, j]);
                if (norm == 0)
                {
                    continue;
                }

                double cosine = Math.Clamp(dot / (norm * normJ), -1, 1);
                ref double target = ref _targets[(at[i] * all) + at[j]];
                double targetSine = Math.Sqrt(1 - (target * target));
                if (cosine < target && targetSine > 0)
                {
                    c[j] += norm * ((target * Math.Sqrt(1 - (cosine * cosine))) - (cosine * targetSine)) / (normJ * targetSine);
                }

                target = ((1 - Beta) * target) + (Beta * cosine);
            }

            for (int m = 0; m < k; m++)
            {
                weights[m] += c[m];
            }
        }

        FlatVectors.CombinationInto(rows, weights, d);
    }

    /// <summary>Writes the targets (row-major, task order) as <c>targets</c> and the generator as <c>random</c>.</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("targets", _targets);
        state.Set("random", _random);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var targets = state.GetArray("targets", _targets.Length);
        var random = state.GetRandom("random");
        if (targets.Any(t => !(t >= -1 && t <= 1)))
        {
            throw new InvalidDataException($"GradVac: a saved target cosine is outside [−1, 1] ({string.Join(", ", targets)}).");
        }

        targets.CopyTo(_targets, 0);
        _random.SetState(random);
    }
}
