using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Export;
using Mtl.Training.Losses;
using Mtl.Training.Optim;

namespace Mtl.Tests.Training.Export;

/// <summary>
/// A trained <see cref="MultiTaskModel{T}"/> exported to ONNX and run by ONNX Runtime gives what
/// <c>Trainer.Predict</c> gives, for every layer the exporter supports, heads at two depths of the trunk.
/// </summary>
public class OnnxExportTests
{
    private static readonly string[] _tasks = ["smooth", "wave", "early"];

    [Test]
    public void ATrainedFloatModelRunsInOnnxRuntimeAsInMtl()
    {
        var (model, data, predictions) = Trained<float>(Model<float>(withExactGelu: true));
        byte[] onnx = OnnxExport.ToBytes(model);

        using var session = new InferenceSession(onnx);
        Assert.That(session.InputMetadata.Keys, Is.EqualTo(new[] { "input" }));
        Assert.That(session.InputMetadata["input"].Dimensions, Is.EqualTo(new[] { -1, 6 }));
        Assert.That(session.OutputNames, Is.EqualTo(_tasks));
        Assert.That(session.OutputMetadata["early"].ElementDataType, Is.EqualTo(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float));

        var outputs = Run<float>(session, data.Features);
        foreach (var task in _tasks)
        {
            var expected = predictions[task].ToArray();
            Assert.That(outputs[task], Has.Length.EqualTo(expected.Length));
            Assert.That(outputs[task], Is.EqualTo(expected).Within(1e-5), task);
        }

        Assert.That(predictions["wave"].ToArray().Distinct().Count(), Is.GreaterThan(data.Rows / 2), "the outputs vary with the input");
    }

    [Test]
    public void ATrainedDoubleModelRunsInOnnxRuntimeAsInMtl()
    {
        // ONNX Runtime's CPU kernel for Erf is float32-only, so this model has no exact GELU (its tanh form runs).
        var (model, data, predictions) = Trained<double>(Model<double>(withExactGelu: false));
        using var session = new InferenceSession(OnnxExport.ToBytes(model));
        Assert.That(session.OutputMetadata["smooth"].ElementDataType, Is.EqualTo(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double));
        var outputs = Run<double>(session, data.Features);
        foreach (var task in _tasks)
        {
            Assert.That(outputs[task], Is.EqualTo(predictions[task].ToArray()).Within(1e-10), task);
        }
    }

    [Test]
    public void SaveWritesTheBytesAtomically()
    {
        var model = Model<float>(withExactGelu: true);
        string path = Path.Combine(Path.GetTempPath(), $"mtl-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            OnnxExport.Save(model, path);
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(OnnxExport.ToBytes(model)));
            Assert.That(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(path) + "*"), Has.Length.EqualTo(1), "no temporary file left");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void AnUnsupportedLayerIsNamedByTypeAndPath()
    {
        var random = new SeededRandom(1);
        var conv = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(4, 4, random), new Flatten<float>()))
            .AddHead("a", new Linear<float>(4, 1, random));
        var ex = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(conv));
        Assert.That(ex!.Message, Does.Contain("Flatten`1 at 'shared.1'").Or.Contain("Flatten at 'shared.1'"));

        var head = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(4, 4, random)))
            .AddHead("a", new Sequential<float>(new Linear<float>(4, 4, random), new Softsign()));
        ex = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(head));
        Assert.That(ex!.Message, Does.Contain("Softsign at 'heads.a.1'").And.Contain("supported layers: Linear"));
    }

    [Test]
    public void BadModelsAreRejected()
    {
        var random = new SeededRandom(2);
        var noHeads = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(4, 4, random)));
        Assert.That(Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(noHeads))!.Message, Does.Contain("no heads"));

        var mismatched = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(4, 8, random), new ReLU<float>()))
            .AddHead("a", new Linear<float>(6, 1, random));
        Assert.That(Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(mismatched))!.Message, Does.Contain("Linear`1 at 'heads.a' takes width 6 but is given 8"));

        var clash = new MultiTaskModel<float>(new Sequential<float>(new Linear<float>(4, 4, random)))
            .AddHead("input", new Linear<float>(4, 1, random));
        Assert.That(Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(clash))!.Message, Does.Contain("'input' is used twice"));
        Assert.DoesNotThrow(() => OnnxExport.ToBytes(clash, inputName: "features"));

        var widthless = new MultiTaskModel<float>(new Sequential<float>(new ReLU<float>())).AddHead("a", new Tanh<float>());
        Assert.That(Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(widthless))!.Message, Does.Contain("input width cannot be told"));
        Assert.Throws<ArgumentNullException>(() => OnnxExport.ToBytes<float>(null!));
    }

    /// <summary>
    /// A trunk of every supported layer (Linear, GELU, LayerNorm, Dropout, Tanh, BatchNorm1d, ReLU, nested
    /// Sequential), a head after the whole trunk with Sigmoid and GELU's tanh form, one with LeakyReLU, and one
    /// at depth 2; with a Tanh for the exact GELU (whose Erf ONNX Runtime runs only in float32) when <paramref name="withExactGelu"/> is false.
    /// </summary>
    private static MultiTaskModel<T> Model<T>(bool withExactGelu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new SeededRandom(11);
        Layer<T> Gelu() => withExactGelu ? new GELU<T>() : new Tanh<T>();
        var trunk = new Sequential<T>(
            new Linear<T>(6, 24, random), Gelu(),
            new LayerNorm<T>(24), new Dropout<T>(0.2, random),
            new Sequential<T>(new Linear<T>(24, 16, random), new Tanh<T>()),
            new BatchNorm1d<T>(16), new ReLU<T>());
        return new MultiTaskModel<T>(trunk)
            .AddHead("smooth", new Sequential<T>(new Linear<T>(16, 8, random), new Sigmoid<T>(), new Linear<T>(8, 1, random)))
            .AddHead("wave", new Sequential<T>(new Linear<T>(16, 8, random), new LeakyReLU<T>(0.1), new GELU<T>(tanhApproximation: true), new Linear<T>(8, 1, random, bias: false)))
            .AddHead("early", new Linear<T>(24, 1, random), depth: 2);
    }

    /// <summary>Trains the model a few epochs (dropout active, batch statistics moving) and predicts on the training rows.</summary>
    private static (MultiTaskModel<T> Model, MultiTaskDataset<T> Data, IReadOnlyDictionary<string, Tensor<T>> Predictions) Trained<T>(MultiTaskModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int rows = 96;
        var random = new SeededRandom(5);
        var x = Tensor.RandomNormal<T>(random, new Shape(rows, 6));
        var smooth = new Tensor<T>(rows, 1);
        var wave = new Tensor<T>(rows, 1);
        var early = new Tensor<T>(rows, 1);
        for (int i = 0; i < rows; i++)
        {
            double a = double.CreateTruncating(x[i * 6]), b = double.CreateTruncating(x[(i * 6) + 1]), c = double.CreateTruncating(x[(i * 6) + 2]);
            smooth[i] = T.CreateTruncating((a * b) + c);
            wave[i] = T.CreateTruncating(Math.Sin(2 * a) + Math.Cos(b + c));
            early[i] = T.CreateTruncating(a - (2 * c));
        }

        var ones = Tensor.Ones<T>(rows);
        var data = new MultiTaskDataset<T>(x, ["x0", "x1", "x2", "x3", "x4", "x5"], [0, 1, 2, 3, 4, 5], [],
            [TaskTarget<T>.Regression("smooth", smooth, ones), TaskTarget<T>.Regression("wave", wave, ones.Clone()), TaskTarget<T>.Regression("early", early, ones.Clone())]);
        var trainer = new Trainer<T>(model,
            [new("smooth", new MseLoss<T>()), new("wave", new MseLoss<T>()), new("early", new MseLoss<T>())],
            new Adam<T>(model.NamedParameters(), new AdamOptions { LearningRate = 1e-2 }),
            new TrainerOptions<T> { Epochs = 15, BatchSize = 16 });
        trainer.Fit(data);
        return (model, data, trainer.Predict(data));
    }

    private static Dictionary<string, T[]> Run<T>(InferenceSession session, Tensor<T> features)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var input = OrtValue.CreateTensorValueFromMemory(features.ToArray(), [features.Shape[0], features.Shape[1]]);
        using var options = new RunOptions();
        using var results = session.Run(options, ["input"], [input], session.OutputNames);
        var outputs = new Dictionary<string, T[]>();
        for (int i = 0; i < results.Count; i++)
        {
            outputs[session.OutputNames[i]] = results[i].GetTensorDataAsSpan<T>().ToArray();
        }

        return outputs;
    }

    /// <summary>x/(1 + |x|): a layer the exporter does not know.</summary>
    private sealed class Softsign : Layer<float>
    {
        public override Mtl.Autograd.Var<float> Forward(Mtl.Autograd.Var<float> input) => input / (input.Abs() + 1f);
    }
}
