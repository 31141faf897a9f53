using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Losses;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>Per-task gradients from one forward pass on a small multi-task model, and the conflict report.</summary>
public class TaskGradientsTests
{
    private static readonly int[] Labels = [0, 2, 1, 1, 0, 2];

    private sealed class Fixture
    {
        public Fixture()
        {
            var r = new SeededRandom(17);
            Model = new MultiTaskModel<double>(new Sequential<double>(new Linear<double>(3, 5, r), new Tanh<double>(), new Linear<double>(5, 4, r)))
                .AddHead("age", new Linear<double>(4, 1, r))
                .AddHead("species", new Sequential<double>(new Tanh<double>(), new Linear<double>(4, 3, r)));
            Input = Tensor.RandomNormal<double>(r, new Shape(6, 3));
            Age = Tensor.RandomNormal<double>(r, new Shape(6));
            Shared = Model.Shared.Parameters().ToArray();
        }

        public MultiTaskModel<double> Model { get; }

        public Tensor<double> Input { get; }

        public Tensor<double> Age { get; }

        public Var<double>[] Shared { get; }

        public TaskLoss<double>[] Losses()
        {
            var outputs = Model.Forward(Var<double>.Constant(Input));
            return
            [
                new("age", new MseLoss<double>().Compute(outputs["age"], Age)),
                new("species", new CrossEntropyLoss<double>().Compute(outputs["species"], Labels)),
            ];
        }

        public double[] SharedGradients() => Shared.SelectMany(p => p.Grad?.ToArray() ?? new double[p.Shape.Length]).ToArray();

        public double[] Gradients(IEnumerable<Var<double>> ps) => ps.SelectMany(p => p.Grad?.ToArray() ?? new double[p.Shape.Length]).ToArray();
    }

    [Test]
    public void PerTaskGradientsSumToTheGradientOfTheSummedLoss()
    {
        var f = new Fixture();
        var set = TaskGradients<double>.Compute(f.Losses(), f.Shared);
        var sum = new SumCombiner().Combine(set.Gradients);

        f.Model.ZeroGrad();
        var losses = f.Losses();
        (losses[0].Loss + losses[1].Loss).Backward();
        Assert.That(sum, Is.EqualTo(f.SharedGradients()).Within(1e-14));
        Assert.That(set.Tasks, Is.EqualTo(new[] { "age", "species" }));
        Assert.That(set.Length, Is.EqualTo(f.Shared.Sum(p => p.Shape.Length)));
    }

    [Test]
    public void EachTaskGradientIsThatTasksLossAlone()
    {
        var f = new Fixture();
        var set = TaskGradients<double>.Compute(f.Losses(), f.Shared);
        var headAge = f.Model.Heads["age"].Parameters().ToArray();
        var headSpecies = f.Model.Heads["species"].Parameters().ToArray();
        var ageHeadGrad = f.Gradients(headAge);
        var speciesHeadGrad = f.Gradients(headSpecies);

        f.Model.ZeroGrad();
        f.Losses()[1].Loss.Backward();
        Assert.That(set["species"], Is.EqualTo(f.SharedGradients()).Within(1e-15));
        Assert.That(speciesHeadGrad, Is.EqualTo(f.Gradients(headSpecies)).Within(1e-15), "the head accumulated its own task's gradient");

        f.Model.ZeroGrad();
        f.Losses()[0].Loss.Backward();
        Assert.That(set["age"], Is.EqualTo(f.SharedGradients()).Within(1e-15));
        Assert.That(ageHeadGrad, Is.EqualTo(f.Gradients(headAge)).Within(1e-15));
    }

    [Test]
    public void SharedGradientsAreLeftAsFoundAndApplyAccumulates()
    {
        var f = new Fixture();
        var first = f.Losses();
        first[0].Loss.Backward();
        var before = f.SharedGradients();

        var set = TaskGradients<double>.Compute(f.Losses(), f.Shared);
        Assert.That(f.SharedGradients(), Is.EqualTo(before));
        var combined = set.Apply(new SumCombiner());
        Assert.That(f.SharedGradients(), Is.EqualTo(before.Zip(combined, (a, b) => a + b).ToArray()).Within(1e-15));
    }

    [Test]
    public void TheTapeIsReleasedAfterwards()
    {
        var f = new Fixture();
        var losses = f.Losses();
        var set = TaskGradients<double>.Compute(losses, f.Shared);
        Assert.Throws<InvalidOperationException>(() => losses[0].Loss.Item());
        Assert.That(set.Losses[0], Is.GreaterThan(0));
    }

    [Test]
    public void GradNormReadsItsNormsFromTheLastSharedLayer()
    {
        var f = new Fixture();
        var gn = new GradNorm<double>(["age", "species"]);
        gn.WeightParameters[0].Data.Span[0] = 0.5;
        gn.WeightParameters[1].Data.Span[0] = 1.5;
        var losses = f.Losses();
        double[] raw = [losses[0].Loss.Item(), losses[1].Loss.Item()];
        var set = TaskGradients<double>.Compute(gn.Weigh(losses), f.Shared);
        var lastWeight = ((Linear<double>)f.Model.Shared[2]).Weight;
        double n0 = Math.Sqrt(set.Slice(0, lastWeight).ToArray().Sum(v => v * v));
        double n1 = Math.Sqrt(set.Slice(1, lastWeight).ToArray().Sum(v => v * v));
        Assert.That(set.Losses[0], Is.EqualTo(0.5 * raw[0]).Within(1e-15));

        var reference = new GradNorm<double>(["age", "species"]);
        reference.WeightParameters[0].Data.Span[0] = 0.5;
        reference.WeightParameters[1].Data.Span[0] = 1.5;
        double expected = reference.Step(raw, [n0, n1]);
        Assert.That(gn.Step(set, lastWeight), Is.EqualTo(expected).Within(1e-14));
        Assert.That(gn.WeightParameters[0].Grad!.Item(), Is.EqualTo(reference.WeightParameters[0].Grad!.Item()).Within(1e-14));
    }

    [Test]
    public void ConflictReportHasNormsAndCosines()
    {
        var report = TaskConflictReport.From(["a", "b", "c"], [[1.0, 0], [-1.0, 1], [0.0, 2]]);
        Assert.That(report.Norms, Is.EqualTo(new[] { 1, Math.Sqrt(2), 2 }).Within(1e-15));
        Assert.That(report.CosineOf(0, 1), Is.EqualTo(-1 / Math.Sqrt(2)).Within(1e-15));
        Assert.That(report.Cosine[1, 2], Is.EqualTo(1 / Math.Sqrt(2)).Within(1e-15));
        Assert.That(report.CosineOf(0, 2), Is.Zero);
        Assert.That(report.CosineOf(2, 2), Is.EqualTo(1.0).Within(1e-15));
        Assert.That(report.ConflictingPairs, Is.EqualTo(1));
        var text = report.ToString();
        Assert.That(text, Does.Contain("-0.7071").And.Contain("conflicting pairs (cos < 0): 1"));
        Assert.That(text.Split('\n')[1], Does.StartWith("a"));
    }

    [Test]
    public void ConflictReportOfAModelStep()
    {
        var f = new Fixture();
        var set = TaskGradients<double>.Compute(f.Losses(), f.Shared);
        var report = set.Conflict();
        double[] a = set["age"], s = set["species"];
        double dot = a.Zip(s, (x, y) => x * y).Sum();
        double na = Math.Sqrt(a.Sum(v => v * v)), ns = Math.Sqrt(s.Sum(v => v * v));
        Assert.That(report.Norms, Is.EqualTo(new[] { na, ns }).Within(1e-14));
        Assert.That(report.CosineOf(0, 1), Is.EqualTo(dot / (na * ns)).Within(1e-14));
    }
}
