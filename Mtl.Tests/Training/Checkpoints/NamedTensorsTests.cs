using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Mtl.Tensors;
using Mtl.Training.Checkpoints;

namespace Mtl.Tests.Training.Checkpoints;

/// <summary>The public API for files of named tensors (<see cref="Checkpoint.SaveTensors{T}"/>,
/// <see cref="Checkpoint.LoadTensors{T}"/>) and opt-in F32/F64 conversion on load, also for models.</summary>
[TestFixture(typeof(float))]
[TestFixture(typeof(double))]
public class NamedTensorsTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static string DType => typeof(T) == typeof(float) ? "F32" : "F64";

    private static string OtherDType => typeof(T) == typeof(float) ? "F64" : "F32";

    private static string Fixture => Path.Combine(TestContext.CurrentContext.TestDirectory, "Training", "Checkpoints", "Golden",
        typeof(T) == typeof(float) ? "tiny_model_f32.safetensors" : "tiny_model_f64.safetensors");

    private static Tensor<TElement> Values<TElement>(int seed, params int[] dims)
        where TElement : unmanaged, IFloatingPointIeee754<TElement> =>
        Tensor.RandomNormal<TElement>(new SeededRandom(seed), new Shape(dims));

    [Test]
    public void RoundTripsNamesShapesValuesOrderAndMetadata()
    {
        using var dir = new TempDirectory();
        var tensors = new List<KeyValuePair<string, Tensor<T>>>
        {
            new("z.last.in.name.order", Values<T>(1, 3, 4)),
            new("a.scalar", Tensor.Scalar(T.CreateTruncating(-2.5))),
            new("m.empty", new Tensor<T>(0, 3)),
            new("b.rank4", Values<T>(2, 2, 1, 3, 2)),
        };
        Checkpoint.SaveTensors(dir.File("t.safetensors"), tensors, new Dictionary<string, string> { ["source"] = "test" });

        var loaded = Checkpoint.LoadTensors<T>(dir.File("t.safetensors"));
        Assert.That(loaded.Tensors.Keys, Is.EqualTo(tensors.Select(t => t.Key)), "file order is the order given");
        foreach (var (name, tensor) in tensors)
        {
            Assert.That(loaded.Tensors[name].Shape, Is.EqualTo(tensor.Shape), name);
            Assert.That(loaded.Tensors[name].ContentEquals(tensor), name);
            Assert.That(loaded.Tensors[name], Is.Not.SameAs(tensor));
        }

        Assert.That(loaded.Metadata, Is.EqualTo(new Dictionary<string, string> { ["source"] = "test" }));
        Assert.That(dir.Entries(), Is.EqualTo(new[] { "t.safetensors" }));

        Checkpoint.SaveTensors(dir.File("none.safetensors"), new Dictionary<string, Tensor<T>>());
        var none = Checkpoint.LoadTensors<T>(dir.File("none.safetensors"));
        Assert.That(none.Tensors, Is.Empty);
        Assert.That(none.Metadata, Is.Empty);
    }

    [Test]
    public void WritesTheSameBytesAsTheModelSaveAndReadsThePythonFile()
    {
        using var dir = new TempDirectory();
        var model = new TinyModel<T>(seed: 1);
        model.FillFixtureValues();
        Checkpoint.SaveTensors(dir.File("t.safetensors"), model.Tensors(), new Dictionary<string, string> { ["epoch"] = "3" });
        Assert.That(File.ReadAllBytes(dir.File("t.safetensors")), Is.EqualTo(File.ReadAllBytes(Fixture)));

        var loaded = Checkpoint.LoadTensors<T>(Fixture);
        Assert.That(loaded.Tensors.Keys, Is.EqualTo(model.Tensors().Select(t => t.Key)));
        Assert.That(model.Tensors().All(t => loaded.Tensors[t.Key].ContentEquals(t.Value)));
    }

    [Test]
    public void LoadsTheOtherFloatDTypeOnlyWhenAllowed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("other.safetensors");
        double[] values = [0.1, 1.0 / 3, -2.5e5, 1e-30, 7.0, 123456789.123, -0.0, 3.4e38];
        SaveOther(path, values);

        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadTensors<T>(path));
        Assert.That(ex!.Message, Does.StartWith(path).And.Contain($"w: dtype {OtherDType} in file, {DType} in the requested tensor type").And.Contain("allowDTypeConversion"));
        Assert.That(ex.TensorName, Is.EqualTo("w"));

        var loaded = Checkpoint.LoadTensors<T>(path, allowDTypeConversion: true).Tensors["w"];
        Assert.That(loaded.Shape, Is.EqualTo(new Shape(2, 4)));
        for (int i = 0; i < values.Length; i++)
        {
            // F64 → F32 rounds to nearest, as (float) does; F32 → F64 is exact, so the float32 value comes back as it was stored.
            double stored = typeof(T) == typeof(float) ? values[i] : (float)values[i];
            double expected = typeof(T) == typeof(float) ? (float)stored : stored;
            Assert.That(double.CreateTruncating(loaded[i]), Is.EqualTo(expected), $"element {i}");
        }
    }

    [Test]
    public void LoadModelConvertsAnotherDTypeOnlyWhenAllowed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        List<Tensor<double>> wide;
        if (typeof(T) == typeof(float))
        {
            var source = new TinyModel<double>(seed: 4);
            Checkpoint.SaveModel(path, source);
            wide = source.Tensors().Select(t => t.Value).ToList();
        }
        else
        {
            var source = new TinyModel<float>(seed: 4);
            Checkpoint.SaveModel(path, source);
            wide = source.Tensors().Select(t => Widen(t.Value)).ToList();
        }

        var model = new TinyModel<T>(seed: 5);
        var before = model.Snapshot();
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadModel(path, model));
        Assert.That(ex!.Message, Does.StartWith(path).And.Contain($"shared.0.weight: dtype {OtherDType} in file, {DType} in model").And.Contain("allowDTypeConversion"));
        Assert.That(model.Matches(before), "a rejected load changes nothing");

        Checkpoint.LoadModel(path, model, allowDTypeConversion: true);
        var loaded = model.Tensors();
        for (int k = 0; k < loaded.Count; k++)
        {
            for (int i = 0; i < wide[k].Length; i++)
            {
                double expected = typeof(T) == typeof(float) ? (float)wide[k][i] : wide[k][i];
                Assert.That(double.CreateTruncating(loaded[k].Value[i]), Is.EqualTo(expected), $"{loaded[k].Key}[{i}]");
            }
        }
    }

    [Test]
    public void AFloat64ValueBeyondFloat32IsAnErrorNotAnInfinityAndFloat32WidensExactly()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.safetensors");
        if (typeof(T) == typeof(double))
        {
            // F32 → F64 cannot overflow: float32's extremes and specials widen exactly.
            Checkpoint.SaveTensors<float>(path, [new("w", Tensor.FromArray([float.MaxValue, -float.Epsilon, float.NegativeInfinity, float.NaN]))]);
            var wide = Checkpoint.LoadTensors<double>(path, allowDTypeConversion: true).Tensors["w"];
            Assert.That(wide.ToArray()[..3], Is.EqualTo(new double[] { float.MaxValue, -float.Epsilon, double.NegativeInfinity }));
            Assert.That(double.IsNaN(wide[3]));
            return;
        }

        Checkpoint.SaveTensors<double>(path, [new("w", Tensor.FromArray([1.0, -1e300, 2.0]))]);
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadTensors<float>(path, allowDTypeConversion: true));
        Assert.That(ex!.Message, Does.Contain("w: element 1 is -1E+300").And.Contain("float32's range"));

        // Infinities and NaN were not finite in the file either: they convert as themselves.
        Checkpoint.SaveTensors<double>(path, [new("w", Tensor.FromArray([double.PositiveInfinity, double.NaN]))]);
        var loaded = Checkpoint.LoadTensors<float>(path, allowDTypeConversion: true).Tensors["w"];
        Assert.That(float.IsPositiveInfinity(loaded[0]) && float.IsNaN(loaded[1]));
    }

    [Test]
    public void ADTypeThatIsNotAFloatIsRejectedEvenWithConversion()
    {
        using var dir = new TempDirectory();
        string path = dir.File("int.safetensors");
        File.WriteAllBytes(path, Raw("{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", 16));
        foreach (bool allow in new[] { false, true })
        {
            var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadTensors<T>(path, allowDTypeConversion: allow));
            Assert.That(ex!.Message, Does.Contain($"ids: dtype I64 in file, {DType}").And.Contain("only F32 and F64"));
        }
    }

    [Test]
    public void BadInputsAreRejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        var t = Values<T>(1, 2);
        Assert.Throws<ArgumentNullException>(() => Checkpoint.SaveTensors<T>(null!, [new("a", t)]));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.SaveTensors<T>(path, null!));
        Assert.That(Assert.Throws<ArgumentException>(() => Checkpoint.SaveTensors<T>(path, [new("a", (Tensor<T>)null!)]))!.Message, Does.Contain("'a' is null"));
        Assert.That(Assert.Throws<ArgumentException>(() => Checkpoint.SaveTensors<T>(path, [new("a", t), new("a", t)]))!.Message, Does.Contain("'a'").And.Contain("used twice"));
        Assert.Throws<ArgumentException>(() => Checkpoint.SaveTensors<T>(path, [new("", t)]));
        Assert.Throws<ArgumentException>(() => Checkpoint.SaveTensors<T>(path, [new("__metadata__", t)]));
        Assert.That(dir.Entries(), Is.Empty, "a rejected save leaves no file");

        Assert.Throws<ArgumentNullException>(() => Checkpoint.LoadTensors<T>(null!));
        Assert.Throws<FileNotFoundException>(() => Checkpoint.LoadTensors<T>(dir.File("missing.safetensors")));

        Checkpoint.SaveTensors<T>(path, [new("a", Values<T>(1, 4, 4))]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        var ex = Assert.Throws<CheckpointException>(() => Checkpoint.LoadTensors<T>(path));
        Assert.That(ex!.Message, Does.StartWith(path).And.Contain("a: data_offsets"));

        File.WriteAllBytes(path, Raw("{\"big\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1));
        Assert.That(Assert.Throws<CheckpointException>(() => Checkpoint.LoadTensors<T>(path))!.Message, Does.Contain("big: dtype U8"));
        File.WriteAllBytes(path, Raw($"{{\"deep\":{{\"dtype\":\"{DType}\",\"shape\":[1,1,1,1,1,1,1],\"data_offsets\":[0,{(DType == "F32" ? 4 : 8)}]}}}}", DType == "F32" ? 4 : 8));
        Assert.That(Assert.Throws<CheckpointException>(() => Checkpoint.LoadTensors<T>(path))!.Message, Does.Contain("deep: shape [1, 1, 1, 1, 1, 1, 1] is beyond Mtl's tensors"));
    }

    /// <summary>The values as a [2, 4] tensor in the dtype that is not T's.</summary>
    private static void SaveOther(string path, double[] values)
    {
        if (typeof(T) == typeof(float))
        {
            Checkpoint.SaveTensors<double>(path, [new("w", Tensor.FromArray(values, 2, 4))]);
        }
        else
        {
            Checkpoint.SaveTensors<float>(path, [new("w", Tensor.FromArray(values.Select(v => (float)v).ToArray(), 2, 4))]);
        }
    }

    private static Tensor<double> Widen(Tensor<float> t)
    {
        var wide = new Tensor<double>(t.Shape);
        for (int i = 0; i < t.Length; i++)
        {
            wide[i] = t[i];
        }

        return wide;
    }

    private static byte[] Raw(string header, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }
}
