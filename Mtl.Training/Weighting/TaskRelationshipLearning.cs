using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Training.Losses;

namespace Mtl.Training.Weighting;

/// <summary>
/// Multi-task relationship learning (MTRL, Zhang &amp; Yeung 2010): the task heads' weights w₁ … w_T, as the columns of
/// W, are tied by a learned task covariance Ω through the regulariser (λ/2)·tr(W·Ω⁻¹·Wᵀ) = (λ/2)·Σₜₛ (Ω⁻¹)ₜₛ·wₜ·wₛ,
/// added to L = Σ Lₜ. Ω (positive semi-definite, trace 1) starts at I/T, which makes the regulariser plain weight
/// decay (λT/2)·Σ‖wₜ‖², and after each epoch takes its closed-form minimiser for the current heads,
/// Ω = (WᵀW)^½ / tr((WᵀW)^½). The correlation matrix of Ω, ρₜₛ = Ωₜₛ/√(ΩₜₜΩₛₛ), is the learned task relationship:
/// positive for tasks whose heads point the same way, negative for opposed ones, near zero for unrelated ones.
/// </summary>
/// <remarks>
/// <para>The heads must have weight tensors of one shape (e.g. every task a <c>Linear(h, 1)</c>), since the regulariser
/// compares them element by element. The regulariser is added to the first present task's term: the terms' sum is
/// the objective, and it does not touch the shared parameters, so per-task gradient methods are unaffected.</para>
/// <para>Ω⁻¹ is taken of Ω + εI (ε = <see cref="Epsilon"/>): Ω is singular when heads are linearly dependent (or
/// there are more tasks than weights per head), and the paper's closed form then needs that ridge.</para>
/// </remarks>
public sealed class TaskRelationshipLearning<T> : IMultiTaskMethod<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly string[] _tasks;
    private readonly Var<T>[] _weights;
    private readonly List<TaskLoss<T>> _terms = [];
    private double[,] _covariance;
    private double[,] _precision;

    /// <summary>MTRL over the given heads' weights.</summary>
    /// <param name="heads">Each task's head weight (all of one shape), in any order.</param>
    /// <param name="lambda">λ ≥ 0, the regulariser's strength.</param>
    /// <param name="epsilon">The ridge ε &gt; 0 added to Ω before it is inverted.</param>
    /// <exception cref="ArgumentException">Fewer than two heads, a task twice, weights of different shapes, or λ, ε out of range.</exception>
    public TaskRelationshipLearning(IReadOnlyList<(string Task, Var<T> Weight)> heads, double lambda, double epsilon = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(heads);
        if (heads.Count < 2)
        {
            throw new ArgumentException($"MTRL: relating tasks needs at least two heads, got {heads.Count}.", nameof(heads));
        }

        _tasks = TaskIndex.Validate("MTRL", heads.Select(h => h.Task));
        _weights = [.. heads.Select(h => h.Weight ?? throw new ArgumentException($"MTRL: task '{h.Task}' has no weight.", nameof(heads)))];
        var shape = _weights[0].Shape;
        for (int t = 1; t < _weights.Length; t++)
        {
            if (_weights[t].Shape != shape)
            {
                throw new ArgumentException($"MTRL: the heads' weights must have one shape to be compared, but '{_tasks[0]}' has {shape} and '{_tasks[t]}' has {_weights[t].Shape}.", nameof(heads));
            }
        }

        if (!(lambda >= 0) || double.IsInfinity(lambda))
        {
            throw new ArgumentException($"MTRL: λ must be a finite number ≥ 0, got {lambda}.", nameof(lambda));
        }

        if (!(epsilon > 0) || double.IsInfinity(epsilon))
        {
            throw new ArgumentException($"MTRL: ε must be a finite number > 0, got {epsilon}.", nameof(epsilon));
        }

        Lambda = lambda;
        Epsilon = epsilon;
        int k = _tasks.Length;
        _covariance = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            _covariance[t, t] = 1.0 / k;
        }

        _precision = Precision(_covariance, epsilon);
    }

    /// <summary>MTRL over the weights of a hard-sharing model's heads, which must all be <see cref="Linear{T}"/> of one shape.</summary>
    /// <exception cref="ArgumentException">A head is not a Linear layer, or the heads differ in shape.</exception>
    public static TaskRelationshipLearning<T> ForHeads(MultiTaskModel<T> model, double lambda, double epsilon = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new TaskRelationshipLearning<T>(
            [.. model.Tasks.Select(task => (task, model.Heads[task] is Linear<T> linear ? linear.Weight : throw new ArgumentException($"MTRL: the head of task '{task}' is a {model.Heads[task].GetType().Name}; MTRL relates Linear heads' weights (pass the weights to relate to the constructor).", nameof(model))))],
            lambda,
            epsilon);
    }

    /// <inheritdoc />
    public string Name => "mtrl";

    /// <summary>λ, the regulariser's strength.</summary>
    public double Lambda { get; }

    /// <summary>ε, the ridge added to Ω before it is inverted.</summary>
    public double Epsilon { get; }

    /// <summary>The tasks, in the order of the matrices' rows.</summary>
    public IReadOnlyList<string> Tasks => _tasks;

    /// <summary>The task covariance Ω in force (a copy; trace 1).</summary>
    public double[,] Covariance => (double[,])_covariance.Clone();

    /// <summary>The learned task relationship: Ω's correlation matrix ρₜₛ = Ωₜₛ/√(ΩₜₜΩₛₛ) (0 where a variance is 0).</summary>
    public double[,] Correlation
    {
        get
        {
            int k = _tasks.Length;
            var rho = new double[k, k];
            for (int t = 0; t < k; t++)
            {
                for (int s = 0; s < k; s++)
                {
                    double scale = Math.Sqrt(_covariance[t, t] * _covariance[s, s]);
                    rho[t, s] = scale > 0 ? _covariance[t, s] / scale : 0;
                }
            }

            return rho;
        }
    }

    /// <inheritdoc />
    public void Bind(MultiTaskSetup<T> setup) => TaskIndex.Bind("MTRL", _tasks, setup);

    /// <summary>The losses, with (λ/2)·tr(W·Ω⁻¹·Wᵀ) added to the first.</summary>
    public IReadOnlyList<TaskLoss<T>> Weigh(IReadOnlyList<TaskLoss<T>> losses)
    {
        ArgumentNullException.ThrowIfNull(losses);
        _terms.Clear();
        for (int i = 0; i < losses.Count; i++)
        {
            _terms.Add(i == 0 && Lambda > 0 ? losses[i] with { Loss = losses[i].Loss + Penalty() } : losses[i]);
        }

        return _terms;
    }

    /// <summary>(λ/2)·Σₜ wₜ·uₜ with uₜ = Σₛ (Ω⁻¹)ₜₛ·wₛ, on the tape.</summary>
    public Var<T> Penalty()
    {
        Var<T>? total = null;
        for (int t = 0; t < _weights.Length; t++)
        {
            Var<T>? u = null;
            for (int s = 0; s < _weights.Length; s++)
            {
                var term = _weights[s] * T.CreateTruncating(_precision[t, s]);
                u = u is null ? term : u + term;
            }

            var inner = (_weights[t] * u!).Sum();
            total = total is null ? inner : total + inner;
        }

        return total! * T.CreateTruncating(Lambda / 2);
    }

    /// <summary>After each epoch: Ω ← (WᵀW)^½ / tr((WᵀW)^½) for the heads as they are now.</summary>
    public void EndEpoch() => UpdateCovariance();

    /// <summary>Sets Ω to its closed-form minimiser for the current heads (see the class summary).</summary>
    /// <exception cref="InvalidOperationException">Every head is zero (WᵀW = 0 has no normalised square root).</exception>
    public void UpdateCovariance()
    {
        int k = _weights.Length;
        var gram = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            var wt = _weights[t].Data.ReadOnlySpan;
            for (int s = t; s < k; s++)
            {
                var ws = _weights[s].Data.ReadOnlySpan;
                double dot = 0;
                for (int i = 0; i < wt.Length; i++)
                {
                    dot += double.CreateTruncating(wt[i]) * double.CreateTruncating(ws[i]);
                }

                gram[t, s] = gram[s, t] = dot;
            }
        }

        var root = SquareRoot(gram);
        double trace = 0;
        for (int t = 0; t < k; t++)
        {
            trace += root[t, t];
        }

        if (!(trace > 0))
        {
            throw new InvalidOperationException("MTRL: every head's weight is zero, so the task covariance (WᵀW)^½/tr(·) is undefined.");
        }

        for (int t = 0; t < k; t++)
        {
            for (int s = 0; s < k; s++)
            {
                root[t, s] /= trace;
            }
        }

        _covariance = root;
        _precision = Precision(root, Epsilon);
    }

    /// <summary>Writes Ω as <c>covariance</c> (row-major).</summary>
    public void SaveState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Set("covariance", [.. _covariance.Cast<double>()]);
    }

    /// <inheritdoc />
    public void LoadState(MethodState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int k = _tasks.Length;
        var values = state.GetArray("covariance", k * k);
        var covariance = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            for (int s = 0; s < k; s++)
            {
                covariance[t, s] = values[(t * k) + s];
                if (!double.IsFinite(covariance[t, s]))
                {
                    throw new InvalidDataException($"MTRL: the saved covariance has {covariance[t, s]} at ({t}, {s}).");
                }
            }
        }

        _precision = Precision(covariance, Epsilon);
        _covariance = covariance;
    }

    /// <summary>The symmetric positive semi-definite square root V·diag(√max(λ, 0))·Vᵀ from the symmetric eigendecomposition.</summary>
    internal static double[,] SquareRoot(double[,] symmetric)
    {
        var evd = Matrix<double>.Build.DenseOfArray(symmetric).Evd(Symmetricity.Symmetric);
        var roots = evd.EigenValues.Map(v => Math.Sqrt(Math.Max(v.Real, 0)));
        var v = evd.EigenVectors;
        return (v * Matrix<double>.Build.DiagonalOfDiagonalVector(roots) * v.Transpose()).ToArray();
    }

    private static double[,] Precision(double[,] covariance, double epsilon)
    {
        var m = Matrix<double>.Build.DenseOfArray(covariance) + (epsilon * Matrix<double>.Build.DenseIdentity(covariance.GetLength(0)));
        return m.Inverse().ToArray();
    }
}
