using Mtl.Autograd;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Tests.Training.Trainer;
using Mtl.Training;
using Mtl.Training.Optim;
using Mtl.Training.Weighting;

namespace Mtl.Tests.Training.Weighting;

/// <summary>
/// Per-task gradients on the shared representation (TaskGradientSpace.Representation, LibMTL's rep_grad): each
/// task's gradient is taken at the trunk's output z through its head alone, the method combines those, and the
/// combination goes through the trunk in one backward pass.
/// </summary>
public class RepresentationGradientTests
{
    private const double Lr = 0.1;

    /// <summary>
    /// By hand on the tiny problem: z = W·x + b per row, rows of task t are ∂Lₜ/∂zₙ = (2/N)·rₙ·vₜ; PCGrad projects
    /// the two conflicting rows on each other; the trunk then takes ∂/∂W = Σₙ dₙ·xₙᵀ and ∂/∂b = Σₙ dₙ, the heads
    /// their own task's gradient.
    /// </summary>
    [Test]
    public void PCGradOnTheRepresentationTakesTheHandComputedStep()
    {
        var model = TinyTwoTask.Model<double>();
        var before = TinyTwoTask.Values.Of(model);
        var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = Lr }), new TrainerOptions<double>
        {
            Epochs = 1,
            BatchSize = TinyTwoTask.Rows,
            GradientCombiner = new PCGradCombiner(seed: 1),
            TaskGradients = TaskGradientSpace.Representation,
        });

        trainer.Fit(TinyTwoTask.Data<double>());

        int n = TinyTwoTask.Rows;
        var z = new double[n][];
        var rows = new double[2][];
        var heads = new double[2][];
        for (int t = 0; t < 2; t++)
        {
            double[] y = t == 0 ? TinyTwoTask.A : TinyTwoTask.B;
            rows[t] = new double[n * 2];
            heads[t] = new double[3];
            for (int r = 0; r < n; r++)
            {
                z[r] = [(before.W[0] * TinyTwoTask.X[r, 0]) + (before.W[1] * TinyTwoTask.X[r, 1]) + before.Bias[0], (before.W[2] * TinyTwoTask.X[r, 0]) + (before.W[3] * TinyTwoTask.X[r, 1]) + before.Bias[1]];
                double g = 2 * ((before.V[t][0] * z[r][0]) + (before.V[t][1] * z[r][1]) + before.C[t] - y[r]) / n;
                rows[t][(r * 2) + 0] = g * before.V[t][0];
                rows[t][(r * 2) + 1] = g * before.V[t][1];
                heads[t][0] += g * z[r][0];
                heads[t][1] += g * z[r][1];
                heads[t][2] += g;
            }
        }

        double dot = TinyTwoTask.Dot(rows[0], rows[1]);
        Assert.That(dot, Is.LessThan(0), "the tasks' representation gradients conflict, so PCGrad projects");
        var d = new double[n * 2];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = rows[0][i] - (dot / TinyTwoTask.Dot(rows[1], rows[1]) * rows[1][i]) + rows[1][i] - (dot / TinyTwoTask.Dot(rows[0], rows[0]) * rows[0][i]);
        }

        var gradW = new double[4];
        var gradB = new double[2];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < 2; i++)
            {
                gradW[(i * 2) + 0] += d[(r * 2) + i] * TinyTwoTask.X[r, 0];
                gradW[(i * 2) + 1] += d[(r * 2) + i] * TinyTwoTask.X[r, 1];
                gradB[i] += d[(r * 2) + i];
            }
        }

        var after = TinyTwoTask.Values.Of(model);
        for (int i = 0; i < 4; i++)
        {
            Assert.That(after.W[i], Is.EqualTo(before.W[i] - (Lr * gradW[i])).Within(1e-13), $"W[{i}]");
        }

        for (int i = 0; i < 2; i++)
        {
            Assert.That(after.Bias[i], Is.EqualTo(before.Bias[i] - (Lr * gradB[i])).Within(1e-13), $"b[{i}]");
            for (int t = 0; t < 2; t++)
            {
                Assert.That(after.V[t][i], Is.EqualTo(before.V[t][i] - (Lr * heads[t][i])).Within(1e-13), $"v{t}[{i}]");
            }
        }

        for (int t = 0; t < 2; t++)
        {
            Assert.That(after.C[t], Is.EqualTo(before.C[t] - (Lr * heads[t][2])).Within(1e-13), $"c{t}");
        }
    }

    /// <summary>
    /// A linear combination commutes with the trunk's Jacobian: the plain sum of the per-task gradients gives the
    /// same training run in both spaces and without per-task gradients at all, on real data over several batches.
    /// </summary>
    [Test]
    public void TheSumGivesTheSameRunInEverySpace()
    {
        double[] Run(IGradientCombiner? combiner, TaskGradientSpace space)
        {
            var (train, _, _) = EnergyFixture.Load<double>();
            var model = EnergyFixture.Model<double>(seed: 4, hidden: 16);
            var trainer = new Trainer<double>(model, EnergyFixture.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = 0.01, Momentum = 0.9 }), new TrainerOptions<double>
            {
                Epochs = 2,
                BatchSize = 64,
                GradientCombiner = combiner,
                TaskGradients = space,
            });
            trainer.Fit(train);
            return [.. model.Parameters().SelectMany(p => p.Data.ToArray())];
        }

        var plain = Run(null, TaskGradientSpace.Parameters);
        var onParameters = Run(new SumCombiner(), TaskGradientSpace.Parameters);
        var onRepresentation = Run(new SumCombiner(), TaskGradientSpace.Representation);
        Assert.That(onParameters, Is.EqualTo(plain).Within(1e-11));
        Assert.That(onRepresentation, Is.EqualTo(plain).Within(1e-11));
    }

    /// <summary>A different method, not the same one: PCGrad on the representation moves the trunk elsewhere than on the parameters.</summary>
    [Test]
    public void PCGradDiffersBetweenTheSpaces()
    {
        double[] Run(TaskGradientSpace space)
        {
            var model = TinyTwoTask.Model<double>();
            var trainer = new Trainer<double>(model, TinyTwoTask.Tasks<double>(), new Sgd<double>(model.NamedParameters(), new SgdOptions { LearningRate = Lr }), new TrainerOptions<double>
            {
                Epochs = 1,
                BatchSize = TinyTwoTask.Rows,
                GradientCombiner = new PCGradCombiner(seed: 1),
                TaskGradients = space,
            });
            trainer.Fit(TinyTwoTask.Data<double>());
            return TinyTwoTask.Values.Of(model).W;
        }

        Assert.That(Run(TaskGradientSpace.Representation), Is.Not.EqualTo(Run(TaskGradientSpace.Parameters)).Within(1e-6));
    }

    [Test]
    public void AModelWithoutOneRepresentationIsRejectedByName()
    {
        var random = new SeededRandom(1);
        var moe = new MixtureOfExpertsModel<double>(4, [new Linear<double>(4, 3, random), new Linear<double>(4, 3, random)], random);
        moe.AddTask("a", new Linear<double>(3, 1, random));
        moe.AddTask("b", new Linear<double>(3, 1, random));
        var options = new TrainerOptions<double> { GradientCombiner = new PCGradCombiner(), TaskGradients = TaskGradientSpace.Representation };
        var error = Assert.Throws<ArgumentException>(() => _ = new Trainer<double>(moe, [new("a", new Mtl.Training.Losses.MseLoss<double>()), new("b", new Mtl.Training.Losses.MseLoss<double>())], new Sgd<double>(moe.NamedParameters(), new SgdOptions { LearningRate = 0.1 }), options));
        Assert.That(error!.Message, Does.Contain("MixtureOfExpertsModel").And.Contain("ISharedRepresentationModel"));

        var hierarchical = new MultiTaskModel<double>(new Sequential<double>(new Linear<double>(2, 3, random), new Tanh<double>(), new Linear<double>(3, 3, random)))
            .AddHead("a", new Linear<double>(3, 1, random), depth: 1)
            .AddHead("b", new Linear<double>(3, 1, random));
        var thrown = Assert.Throws<InvalidOperationException>(() => hierarchical.Represent(Var<double>.Constant(new Tensor<double>(4, 2))));
        Assert.That(thrown!.Message, Does.Contain("depths 1, 3"));
    }

    /// <summary>
    /// A gradient-level step reuses its per-task rows (kept in the model's precision), its Gram matrix, its
    /// combination and the combiner's scratch: in the steady state it allocates no more than the plain step of the
    /// same trainer (the handles its ops return, ~1.6 KB here), in either space, whatever the model's size (here
    /// 2 × ~37k shared scalars). Before, PCGrad allocated ~189 KB per step: the rows, the saved gradients, the
    /// combination.
    /// </summary>
    [TestCase(TaskGradientSpace.Parameters, "pcgrad")]
    [TestCase(TaskGradientSpace.Representation, "pcgrad")]
    [TestCase(TaskGradientSpace.Parameters, "mgda")]
    [TestCase(TaskGradientSpace.Representation, "mgda")]
    public void AGradientLevelStepAllocatesNoMoreThanAPlainStep(TaskGradientSpace space, string method)
    {
        var (train, _, _) = EnergyFixture.Load<float>();
        var model = EnergyFixture.Model<float>(seed: 2, hidden: 192);
        long PerStep(IGradientCombiner? combiner)
        {
            long Fit(int epochs)
            {
                var trainer = new Trainer<float>(model, EnergyFixture.Tasks<float>(), EnergyFixture.Adam(model), new TrainerOptions<float>
                {
                    Epochs = epochs,
                    BatchSize = 64,
                    DropLast = true,
                    GradientCombiner = combiner,
                    TaskGradients = space,
                });
                trainer.Fit(train);
                long start = GC.GetAllocatedBytesForCurrentThread();
                trainer.Fit(train);
                return GC.GetAllocatedBytesForCurrentThread() - start;
            }

            // Per-fit and per-epoch allocations cancel in the difference of two runs of different lengths.
            return (Fit(4) - Fit(2)) / (2 * (train.Rows / 64));
        }

        long plain = PerStep(null);
        long combined = PerStep(method == "pcgrad" ? new PCGradCombiner(seed: 3) : new MgdaCombiner());
        TestContext.Out.WriteLine($"{space} {method}: {combined} bytes per step, plain {plain}");
        Assert.That(combined, Is.LessThanOrEqualTo(plain));
    }
}
