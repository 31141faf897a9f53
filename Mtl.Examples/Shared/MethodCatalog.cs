using Mtl.Training;
using Mtl.Training.Weighting;

namespace Mtl.Examples;

/// <summary>
/// Every multi-task method by a short name, as the comparison harness builds them: a loss weighting, a gradient
/// combiner (on the shared parameters), or both in one method. Each gets the tasks (with their kinds, for
/// uncertainty weighting) and a seed for the random ones.
/// </summary>
public static class MethodCatalog
{
    /// <summary>What a method contributes to <see cref="TrainerOptions{T}"/>.</summary>
    public sealed record Parts(ILossWeighting<float>? Weighting, IGradientCombiner? Combiner, IMultiTaskMethod<float>? Method)
    {
        /// <summary>The learned parameters the optimizer must hold (uncertainty's log-variances, GradNorm's weights).</summary>
        public IEnumerable<KeyValuePair<string, Mtl.Autograd.Var<float>>> LearnedParameters() =>
            (Weighting?.NamedParameters() ?? []).Concat(Method?.NamedParameters() ?? []);
    }

    /// <summary>The names, with the paper each implements, in the harness's default order.</summary>
    public static IReadOnlyList<(string Name, string Paper)> All { get; } =
    [
        ("equal", "Σ Lₜ, equal weights"),
        ("uw", "uncertainty weighting, Kendall et al. 2018"),
        ("dwa", "dynamic weight average, Liu et al. 2019"),
        ("gradnorm", "GradNorm, Chen et al. 2018"),
        ("rlw", "random loss weighting, Lin et al. 2021"),
        ("gls", "geometric loss strategy, Chennupati et al. 2019"),
        ("famo", "FAMO, Liu et al. 2023"),
        ("pcgrad", "PCGrad, Yu et al. 2020"),
        ("mgda", "MGDA, Sener & Koltun 2018"),
        ("cagrad", "CAGrad, Liu et al. 2021"),
        ("upgrad", "UPGrad, Quinton & Rey 2024"),
        ("dualproj", "DualProj, Quinton & Rey 2024"),
        ("imtl-g", "IMTL-G, Liu et al. 2021"),
        ("aligned", "Aligned-MTL, Senushkin et al. 2023"),
        ("gradvac", "GradVac, Wang et al. 2021"),
        ("graddrop", "GradDrop, Chen et al. 2020"),
        ("nash", "Nash-MTL, Navon et al. 2022"),
        ("fairgrad", "FairGrad, Ban & Ji 2024"),
        ("dbmtl", "DB-MTL, Lin et al. 2023"),
    ];

    /// <summary>The harness's default selection: one or two of each family.</summary>
    public static IReadOnlyList<string> Default { get; } = ["equal", "uw", "dwa", "rlw", "famo", "pcgrad", "mgda", "cagrad", "upgrad", "imtl-g", "nash"];

    /// <summary>Builds method <paramref name="name"/> for <paramref name="tasks"/>.</summary>
    /// <exception cref="UsageException">No such method.</exception>
    public static Parts Create(string name, IReadOnlyList<(string Name, TaskKind Kind)> tasks, int seed)
    {
        var names = tasks.Select(t => t.Name).ToArray();
        return name switch
        {
            "equal" => new(null, null, null),
            "uw" => new(new UncertaintyWeighting<float>(tasks.Select(t => new KeyValuePair<string, TaskKind>(t.Name, t.Kind))), null, null),
            "dwa" => new(new DynamicWeightAverage<float>(names), null, null),
            "gradnorm" => new(new GradNorm<float>(names), null, null),
            "rlw" => new(new RandomLossWeighting<float>(names, seed), null, null),
            "gls" => new(new GeometricLossStrategy<float>(names), null, null),
            "famo" => new(new FamoWeighting<float>(names), null, null),
            "pcgrad" => new(null, new PCGradCombiner(seed), null),
            "mgda" => new(null, new MgdaCombiner(), null),
            "cagrad" => new(null, new CAGradCombiner(), null),
            "upgrad" => new(null, new UPGradCombiner(), null),
            "dualproj" => new(null, new DualProjCombiner(), null),
            "imtl-g" => new(null, new ImtlGCombiner(), null),
            "aligned" => new(null, new AlignedMtlCombiner(), null),
            "gradvac" => new(null, new GradVacCombiner(names, seed: seed), null),
            "graddrop" => new(null, new GradDropCombiner(seed), null),
            "nash" => new(null, new NashMtlCombiner(), null),
            "fairgrad" => new(null, new FairGradCombiner(), null),
            "dbmtl" => new(null, null, DbMtlCombiner.Method<float>(names)),
            _ => throw new UsageException($"unknown method '{name}'; the methods are {string.Join(", ", All.Select(m => m.Name))}."),
        };
    }
}
