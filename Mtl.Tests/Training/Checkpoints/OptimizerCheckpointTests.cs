using System.Text;
using Mtl.Autograd;
using Mtl.Tensors;
using Mtl.Training.Checkpoints;
using Mtl.Training.Optim;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>Optimizer checkpoints: layout, and rejection of files that do not fit the optimizer.</summary>
public class OptimizerCheckpointTests
{
    private static (Var<float> A, Var<float> B) Parameters() =>
        (Var<float>.Parameter(Tensor.FromArray<float>([1f, 2f, 3f], 3)), Var<float>.Parameter(Tensor.FromArray<float>([4f, 5f], 2)));

    private static Adam<float> TrainedAdam(Var<float> a, Var<float> b)
    {
        var adam = new Adam<float>([new("a", a), new("b", b)], new AdamOptions { LearningRate = 0.1 });
        a.GradSink()!.Fill(0.5f);
        adam.Step();
        adam.Step();
        return adam;
    }

    [Test]
    public void LayoutHasStateTensorsPerParameterAndStepsInMetadata()
    {
        using var dir = new TempDirectory();
        var (a, b) = Parameters();
        var adam = TrainedAdam(a, b);
        adam.Groups[0].LearningRate = 0.025;
        Checkpoint.SaveOptimizer(dir.File("o.safetensors"), adam, new Dictionary<string, string> { ["run"] = "x" });

        using var file = SafeTensorsFile.Open(dir.File("o.safetensors"));
        Assert.That(file.Entries.Keys, Is.EquivalentTo(new[] { "a.exp_avg", "a.exp_avg_sq" }), "b had no gradient, so no state");
        Assert.That(file.Metadata["mtl.step.a"], Is.EqualTo("2"));
        Assert.That(file.Metadata["mtl.optimizer"], Is.EqualTo("Adam"));
        Assert.That(file.Metadata["mtl.group.0.lr"], Is.EqualTo("0.025"));
        Assert.That(file.Metadata["run"], Is.EqualTo("x"));
        Assert.That(file.Metadata.ContainsKey("mtl.step.b"), Is.False);
    }

    [Test]
    public void ReservedMetadataKeysAreRefused()
    {
        using var dir = new TempDirectory();
        var (a, b) = Parameters();
        Assert.Throws<ArgumentException>(() => Checkpoint.SaveOptimizer(dir.File("o.safetensors"), TrainedAdam(a, b), new Dictionary<string, string> { ["mtl.step.a"] = "9" }));
        Assert.That(dir.Entries(), Is.Empty);
    }

    [Test]
    public void AnotherOptimizerKindIsRejectedAndNothingChanges()
    {
        using var dir = new TempDirectory();
        var (a, b) = Parameters();
        Checkpoint.SaveOptimizer(dir.File("o.safetensors"), TrainedAdam(a, b));

        var sgd = new Sgd<float>([new("a", a), new("b", b)], new SgdOptions { Momentum = 0.9 });
        a.GradSink()!.Fill(1f);
        sgd.Step();
        var state = sgd.GetState("a");
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(dir.File("o.safetensors"), sgd));
        Assert.That(ex!.Message, Does.Contain("'mtl.optimizer' is 'Adam' in file, 'SGD' in the optimizer"));
        Assert.That(sgd.GetState("a"), Is.SameAs(state));
    }

    [Test]
    public void AModelFileIsNotAnOptimizerFile()
    {
        using var dir = new TempDirectory();
        Checkpoint.SaveModel(dir.File("m.safetensors"), new TinyModel<float>(seed: 1));
        var (a, b) = Parameters();
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(dir.File("m.safetensors"), TrainedAdam(a, b)));
        Assert.That(ex!.Message, Does.Contain("'mtl.format' is missing"));
    }

    [Test]
    public void StateForAnUnknownParameterOrOfAnotherShapeIsRejected()
    {
        using var dir = new TempDirectory();
        var (a, b) = Parameters();
        Checkpoint.SaveOptimizer(dir.File("o.safetensors"), TrainedAdam(a, b));

        var renamed = new Adam<float>([new("x", a), new("b", b)], new AdamOptions());
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(dir.File("o.safetensors"), renamed));
        Assert.That(ex!.TensorName, Is.EqualTo("a"));
        Assert.That(ex.Message, Does.Contain("no such parameter"));

        var wide = Var<float>.Parameter(Tensor.Zeros<float>(4));
        var reshaped = new Adam<float>([new("a", wide), new("b", b)], new AdamOptions());
        ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(dir.File("o.safetensors"), reshaped));
        Assert.That(ex!.Message, Does.Contain("a.exp_avg: shape [3] in file, [4] in optimizer"));
        Assert.That(reshaped.GetState("a"), Is.Null);
    }

    [Test]
    public void AMissingStateTensorIsRejected()
    {
        using var dir = new TempDirectory();
        var (a, b) = Parameters();
        Checkpoint.SaveOptimizer(dir.File("o.safetensors"), TrainedAdam(a, b));
        var amsgrad = new Adam<float>([new("a", a), new("b", b)], new AdamOptions { Amsgrad = true });
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(dir.File("o.safetensors"), amsgrad));
        Assert.That(ex!.Message, Does.Contain("a.max_exp_avg_sq: missing from the file"));
    }

    [Test]
    public void ABadStepCountIsRejected()
    {
        using var dir = new TempDirectory();
        var (a, b) = Parameters();
        string path = dir.File("o.safetensors");
        Checkpoint.SaveOptimizer(path, TrainedAdam(a, b));
        var bytes = File.ReadAllBytes(path);
        var text = Encoding.Latin1.GetString(bytes).Replace("\"mtl.step.a\":\"2\"", "\"mtl.step.a\":\"z\"", StringComparison.Ordinal);
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes(text));
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadOptimizer(path, new Adam<float>([new("a", a), new("b", b)], new AdamOptions())));
        Assert.That(ex!.Message, Does.Contain("step count 'z'"));
    }
}
