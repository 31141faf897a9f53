using System.Numerics;
using Mtl.Autograd;
using Mtl.Layers;

namespace Mtl.Training.Weighting;

/// <summary>
/// The regulariser Ω(θ) = λ_Ω·Σ‖θ‖² over a set of parameters, by default the task-specific ones
/// (<c>heads.*</c>), as a differentiable value to add to the objective: dΩ/dθ = 2λ_Ω·θ (so it equals
/// weight decay of 2λ_Ω under plain SGD, applied to the heads only).
/// </summary>
public sealed class L2Penalty<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Var<T>[] _parameters;

    /// <summary>Creates the penalty over <paramref name="parameters"/>.</summary>
    /// <param name="strength">λ_Ω ≥ 0.</param>
    /// <param name="parameters">The penalised parameters.</param>
    public L2Penalty(double strength, IEnumerable<Var<T>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!double.IsFinite(strength) || strength < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(strength), strength, "L2 penalty: strength must be a finite number ≥ 0.");
        }

        Strength = strength;
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0)
        {
            throw new ArgumentException("L2 penalty: no parameters to penalise.", nameof(parameters));
        }
    }

    /// <summary>The penalty over the parameters of <paramref name="model"/> whose name starts with
    /// <paramref name="prefix"/> (the task heads by default).</summary>
    public static L2Penalty<T> ForPrefix(Module<T> model, double strength, string prefix = "heads.")
    {
        ArgumentNullException.ThrowIfNull(model);
        var selected = model.NamedParameters().Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.Value).ToArray();
        if (selected.Length == 0)
        {
            throw new ArgumentException($"L2 penalty: no parameter name starts with '{prefix}' (have: {string.Join(", ", model.NamedParameters().Select(p => p.Key))}).", nameof(prefix));
        }

        return new L2Penalty<T>(strength, selected);
    }

    /// <summary>λ_Ω.</summary>
    public double Strength { get; }

    /// <summary>The penalised parameters.</summary>
    public IReadOnlyList<Var<T>> Parameters => _parameters;

    /// <summary>Ω(θ) = λ_Ω·Σ‖θ‖², recorded on the tape.</summary>
    public Var<T> Compute()
    {
        Var<T>? total = null;
        foreach (var p in _parameters)
        {
            var s = p.Square().Sum();
            total = total is null ? s : total + s;
        }

        return total! * T.CreateTruncating(Strength);
    }
}
