using Mtl.Examples;

namespace Mtl.Tests.Examples;

/// <summary>Each example in a tiny configuration: it runs, prints its result table and writes its plots.</summary>
public class ExamplesTests
{
    private static readonly string Data = ExampleRun.DataDirectory;

    [Test]
    public void EnergyComparesHardSharingWithSingleTaskModels()
    {
        using var run = ExampleRun.Of("energy", "--epochs", "2", "--rows", "120", "--data", Data);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("| hard sharing (one model)"));
        Assert.That(run.Output, Does.Contain("| single-task heating_load"));
        Assert.That(run.Output, Does.Contain("| single-task cooling_load"));
        Assert.That(run.Output, Does.Contain("heating MAE"));
        run.AssertWrote("energy-curves.png");
    }

    [Test]
    public void PenguinsReportsMaskedLabelsAndMixedMetrics()
    {
        using var run = ExampleRun.Of("penguins", "--epochs", "3", "--data", Data);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("2 dropped because their inputs are missing"));
        Assert.That(run.Output, Does.Contain("task sex: 2 classes (female, male); 9 of 342 rows have no label"));
        Assert.That(run.Output, Does.Contain("| hard sharing, 3 heads"));
        Assert.That(run.Output, Does.Contain("species F1"));
        Assert.That(run.Output, Does.Contain("body mass MAE (g)"));
        run.AssertWrote("penguins-curves.png");
        run.AssertWrote("penguins-validation-metrics.png");
    }

    [Test]
    public void FashionTrainsTheTwoHeadCnn()
    {
        using var run = ExampleRun.Of("fashion", "--epochs", "1", "--rows", "128", "--data", Data);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("[cnn] epoch 1/1"));
        Assert.That(run.Output, Does.Contain("| left item"));
        Assert.That(run.Output, Does.Contain("| right item"));
        run.AssertWrote("fashion-curves.png");
    }

    [Test]
    public void AttributesTrainsAClassHeadAndAnAttributeHead()
    {
        using var run = ExampleRun.Of("attributes", "--epochs", "1", "--rows", "128", "--data", Data);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("'long_sleeves' is missing on every third training image"));
        Assert.That(run.Output, Does.Contain("| class only"));
        Assert.That(run.Output, Does.Contain("| attributes only"));
        Assert.That(run.Output, Does.Contain("| class + attributes"));
        Assert.That(run.Output, Does.Contain("| footwear"));
        run.AssertWrote("attributes-curves.png");
    }

    [Test]
    public void SharingComparesEverySchemeWithSingleTaskModels()
    {
        using var run = ExampleRun.Of("sharing", "--epochs", "2", "--rows", "120", "--data", Data);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        foreach (string scheme in new[] { "| single-task (2 models)", "| hard sharing", "| hierarchical", "| soft sharing", "| cross-stitch", "| MMoE", "| MTRL" })
        {
            Assert.That(run.Output, Does.Contain(scheme));
        }

        Assert.That(run.Output, Does.Contain("Δm% (mean ± sd)"));
        foreach (string relation in new[] { "label correlation", "gradient cosine", "lookahead affinity (TAG)", "cross-stitch α0", "MMoE gate usage", "MTRL correlation" })
        {
            Assert.That(run.Output, Does.Contain(relation));
        }

        run.AssertWrote("sharing-relations.png");
    }

    [Test]
    public void CompareRunsEveryPairingAndItsTableIsDeterministic()
    {
        string[] args = ["compare", "--dataset", "penguins", "--epochs", "1", "--rows", "48", "--seeds", "2", "--archs", "hard,ple,dselect", "--methods", "equal,uw,pcgrad,upgrad,nash,famo", "--data", Data];
        using var first = ExampleRun.Of(args);
        using var second = ExampleRun.Of(args);

        Assert.That(first.ExitCode, Is.EqualTo(0), first.Error);
        Assert.That(first.Output, Does.Contain("| single-task"));
        Assert.That(first.Output, Does.Contain("species accuracy").And.Contain("body_mass_g MAE").And.Contain("Δm% (mean ± sd)"));
        foreach (var (arch, method) in new[] { ("hard", "upgrad"), ("ple", "nash"), ("dselect", "famo") })
        {
            Assert.That(first.Output, Does.Match($@"\| {arch} +\| +{method} \|"));
        }

        first.AssertWrote("compare.png");
        first.AssertWrote("compare.md");
        string table = File.ReadAllText(Path.Combine(first.OutDirectory, "compare.md"));
        Assert.That(table, Does.Contain("--dataset penguins --archs hard,ple,dselect"));
        Assert.That(File.ReadAllText(Path.Combine(second.OutDirectory, "compare.md")), Is.EqualTo(table), "the same command gives the same table");
    }

    [Test]
    public void CompareNamesAnUnknownMethod()
    {
        using var run = ExampleRun.Of("compare", "--methods", "equal,sgdx", "--epochs", "1", "--data", Data);
        Assert.That(run.ExitCode, Is.EqualTo(ExampleRunner.BadInput));
        Assert.That(run.Error, Does.Contain("unknown method 'sgdx'").And.Contain("upgrad"));
    }

    [Test]
    public void InputsTrainsTasksWithDifferentInputsThroughTheTrainer()
    {
        using var run = ExampleRun.Of("inputs", "--epochs", "2", "--data", Data);

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("inputs relative_compactness, surface_area, wall_area, roof_area, overall_height"));
        foreach (string row in new[] { "| separate", "| shared block", "| + uncertainty", "| + PCGrad" })
        {
            Assert.That(run.Output, Does.Contain(row));
        }
    }

    [Test]
    public void TransferTabulatesEveryMethodOverTheCorrelations()
    {
        using var run = ExampleRun.Of("transfer", "--epochs", "1", "--rows", "64");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("| single-task | hard sharing | + uncertainty | + PCGrad |"));
        Assert.That(run.Output, Does.Contain("| 1.0 (label r"));
        Assert.That(run.Output, Does.Contain("| -0.5 (label r"));
        run.AssertWrote("transfer-mse-vs-p.png");
    }

    [Test]
    public void InspectDumpsTheTapeChecksGradientsAndTracksConflict()
    {
        using var run = ExampleRun.Of("inspect", "--epochs", "2", "--rows", "64");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(run.Output, Does.Contain("#0   linear         'x'[4, 3], 'shared.0.weight'[4, 3]"));
        Assert.That(run.Output, Does.Contain("gradcheck (eps=1E-06, atol=1E-05, rtol=0.001): passed"));
        Assert.That(run.Output, Does.Contain("conflicting pairs (cos < 0)"));
        run.AssertWrote("inspect-graph.dot");
        Assert.That(File.ReadAllText(Path.Combine(run.OutDirectory, "inspect-graph.dot")), Does.StartWith("digraph"));
        run.AssertWrote("inspect-conflict.png");
        run.AssertWrote("inspect-gradient-norms.png");
        if (File.Exists("/usr/bin/dot"))
        {
            run.AssertWrote("inspect-graph.svg");
            run.AssertWrote("inspect-graph.png");
        }
    }
}
