using System.Globalization;
using System.Text;
using Mtl.Tensors;

namespace Mtl.Autograd;

/// <summary>Tolerances of <see cref="GradCheck"/>; the defaults are torch.autograd.gradcheck's.</summary>
/// <param name="Eps">Finite-difference step.</param>
/// <param name="Atol">Absolute tolerance.</param>
/// <param name="Rtol">Relative tolerance: an element passes when |analytical − numerical| ≤ Atol + Rtol·|numerical|.</param>
/// <param name="Seed">Seed of the random projection used when the function's output is not a scalar.</param>
public sealed record GradCheckOptions(double Eps = 1e-6, double Atol = 1e-5, double Rtol = 1e-3, int Seed = 12345);

/// <summary>The comparison for one input of a gradient check.</summary>
/// <param name="Index">The input's position.</param>
/// <param name="Name">The input's name, if it has one.</param>
/// <param name="Shape">The input's shape.</param>
/// <param name="MaxAbsoluteError">Largest |analytical − numerical| over the elements.</param>
/// <param name="MaxRelativeError">Largest |analytical − numerical| / max(|numerical|, tiny).</param>
/// <param name="WorstElement">Flat index of the element furthest outside the tolerance (or with the largest error).</param>
/// <param name="Analytical">The analytical gradient at the worst element.</param>
/// <param name="Numerical">The numerical gradient at the worst element.</param>
/// <param name="Passed">Every element within tolerance.</param>
public sealed record GradCheckInputReport(int Index, string? Name, Shape Shape, double MaxAbsoluteError, double MaxRelativeError, int WorstElement, double Analytical, double Numerical, bool Passed);

/// <summary>The outcome of a gradient check, one entry per input.</summary>
public sealed class GradCheckReport(IReadOnlyList<GradCheckInputReport> inputs, GradCheckOptions options)
{
    /// <summary>Per-input comparisons.</summary>
    public IReadOnlyList<GradCheckInputReport> Inputs { get; } = inputs;

    /// <summary>The tolerances used.</summary>
    public GradCheckOptions Options { get; } = options;

    /// <summary>True when every input passed.</summary>
    public bool Passed => Inputs.All(i => i.Passed);

    /// <summary>A table, one line per input.</summary>
    public override string ToString()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"gradcheck (eps={Options.Eps:G3}, atol={Options.Atol:G3}, rtol={Options.Rtol:G3}): {(Passed ? "passed" : "FAILED")}\n");
        foreach (var r in Inputs)
        {
            sb.Append(ci, $"  input {r.Index} {r.Name ?? string.Empty}{r.Shape}: max abs err {r.MaxAbsoluteError:E2}, max rel err {r.MaxRelativeError:E2}, worst element {r.WorstElement} (analytical {r.Analytical:G10}, numerical {r.Numerical:G10}) {(r.Passed ? "ok" : "FAIL")}\n");
        }

        return sb.ToString();
    }
}

/// <summary>Thrown by <see cref="GradCheck.Assert"/> when a gradient check fails; the message is the report.</summary>
public sealed class GradCheckException : Exception
{
    /// <summary>Creates the exception from a report.</summary>
    public GradCheckException(GradCheckReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).ToString()) => Report = report;

    /// <summary>Creates the exception.</summary>
    public GradCheckException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public GradCheckException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GradCheckException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The failing report.</summary>
    public GradCheckReport? Report { get; }
}

/// <summary>
/// Compares the tape's gradients with central finite differences (f(x+ε) − f(x−ε))/2ε in float64, on
/// every element of every input, as torch.autograd.gradcheck does. A non-scalar output is reduced by a
/// fixed random projection ⟨f(x), r⟩, which checks the vector-Jacobian product backward computes.
/// </summary>
public static partial class GradCheck
{
    /// <summary>Runs the check and returns the report.</summary>
    /// <param name="function">The function of the inputs; it must be deterministic.</param>
    /// <param name="inputs">The points to check at (left unchanged).</param>
    /// <param name="options">Tolerances; torch's defaults when null.</param>
    public static GradCheckReport Run(Func<IReadOnlyList<Var<double>>, Var<double>> function, IReadOnlyList<Tensor<double>> inputs, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new GradCheckOptions();
        var leaves = inputs.Select((t, i) => Var<double>.Parameter(t, $"input{i}")).ToArray();
        return Compare(() => function(leaves), leaves, options);
    }

    /// <summary>Differentiates <paramref name="function"/> once and compares every leaf's gradient with central differences.</summary>
    private static GradCheckReport Compare(Func<Var<double>> function, Var<double>[] leaves, GradCheckOptions options)
    {
        var output = function();
        Tensor<double>? projection = output.Shape.Length == 1 ? null : Tensor.RandomNormal<double>(new SeededRandom(options.Seed), output.Shape);
        output.Backward(projection);
        var analytical = leaves.Select(l => l.Grad?.ToArray() ?? new double[l.Shape.Length]).ToArray();

        var reports = new List<GradCheckInputReport>();
        using (Tape.NoGrad())
        {
            for (int i = 0; i < leaves.Length; i++)
            {
                var x = leaves[i].Data.Span;
                double maxAbs = 0, maxRel = 0, worstExcess = double.NegativeInfinity;
                int worst = 0;
                double worstA = 0, worstN = 0;
                bool passed = true;
                for (int j = 0; j < x.Length; j++)
                {
                    double original = x[j];
                    x[j] = original + options.Eps;
                    double plus = Project(function().Data, projection);
                    x[j] = original - options.Eps;
                    double minus = Project(function().Data, projection);
                    x[j] = original;

                    double numerical = (plus - minus) / (2 * options.Eps);
                    double a = analytical[i][j];
                    double err = Math.Abs(a - numerical);
                    double allowed = options.Atol + (options.Rtol * Math.Abs(numerical));
                    bool ok = err <= allowed && double.IsFinite(a) == double.IsFinite(numerical);
                    passed &= ok;
                    maxAbs = Math.Max(maxAbs, err);
                    maxRel = Math.Max(maxRel, err / Math.Max(Math.Abs(numerical), 1e-300));
                    double excess = double.IsNaN(err) ? double.PositiveInfinity : err - allowed;
                    if (excess > worstExcess)
                    {
                        worstExcess = excess;
                        worst = j;
                        worstA = a;
                        worstN = numerical;
                    }
                }

                reports.Add(new GradCheckInputReport(i, leaves[i].Name, leaves[i].Shape, maxAbs, maxRel, worst, worstA, worstN, passed));
            }
        }

        return new GradCheckReport(reports, options);
    }

    /// <summary>Runs the check and throws <see cref="GradCheckException"/> with the report when it fails.</summary>
    public static GradCheckReport Assert(Func<IReadOnlyList<Var<double>>, Var<double>> function, IReadOnlyList<Tensor<double>> inputs, GradCheckOptions? options = null)
    {
        var report = Run(function, inputs, options);
        if (!report.Passed)
        {
            throw new GradCheckException(report);
        }

        return report;
    }

    private static double Project(Tensor<double> value, Tensor<double>? projection) =>
        projection is null ? value.Item() : TensorPrimitives.Dot(value.ReadOnlySpan, projection.ReadOnlySpan);
}
