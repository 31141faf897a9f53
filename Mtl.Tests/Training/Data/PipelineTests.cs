using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Checkpoints;
using Mtl.Training.Data;
using Mtl.Tests.Training.Trainer;

namespace Mtl.Tests.Training.Data;

public class PipelineTests
{
    private const string TrainCsv = "x,colour,size,label\n1,red,10,a\n3,green,20,b\n5,red,30,c\n7,blue,40,a\n100,green,1000,b\n";

    private static TabularSchema Schema(UnseenCategoryPolicy unseen = UnseenCategoryPolicy.Error) =>
        new TabularSchema { UnseenCategories = unseen }.Numeric("x").Categorical("colour").Regression("size").Classification("label");

    [Test]
    public void StatisticsAndVocabulariesComeFromTheTrainingRowsOnly()
    {
        var table = CsvReader.Parse(TrainCsv, "train.csv", new CsvDialect());
        var pipeline = TabularPipeline.Fit(table, Schema(), rows: [0, 1, 2, 3]);

        // Row 4 (x = 100, size = 1000) is held out: μ and σ are those of x = 1, 3, 5, 7 and size = 10…40.
        Assert.That(pipeline.FeatureStats!.Mean[0], Is.EqualTo(4.0));
        Assert.That(pipeline.FeatureStats.Std[0], Is.EqualTo(Math.Sqrt(5.0)).Within(1e-12));
        Assert.That(pipeline.TargetStats["size"].Mean[0], Is.EqualTo(25.0));
        Assert.That(pipeline.TargetStats["size"].Std[0], Is.EqualTo(Math.Sqrt(125.0)).Within(1e-12));
        Assert.That(pipeline.Categories("colour"), Is.EqualTo(new[] { "blue", "green", "red" }));
        Assert.That(pipeline.FeatureNames, Is.EqualTo(new[] { "x", "colour=blue", "colour=green", "colour=red" }));

        var held = pipeline.Transform<double>(table, [4]);
        Assert.That(held.Features[0, 0], Is.EqualTo((100 - 4.0) / Math.Sqrt(5.0)).Within(1e-12));
        Assert.That(held.Features.ReadOnlySpan[1..].ToArray(), Is.EqualTo(new double[] { 0, 1, 0 }), "one-hot columns are not scaled");
        Assert.That(held.Task("size").Values![0, 0], Is.EqualTo((1000 - 25.0) / Math.Sqrt(125.0)).Within(1e-12));
        Assert.That(held.OriginalTarget("size").Values![0, 0], Is.EqualTo(1000.0).Within(1e-9));
    }

    [Test]
    public void NewFileGetsTheFittedColumnsAndClassNumbersEvenWithFewerCategories()
    {
        var pipeline = TabularPipeline.Fit(CsvReader.Parse(TrainCsv, "train.csv", new CsvDialect()), Schema());
        string fresh = TestData.WriteTemp("fresh.csv", "x;colour;size;label\n2;red;NA;c\n4; red ;15;c\n");
        var d = pipeline.Transform<float>(fresh);
        Assert.That(d.FeatureNames, Is.EqualTo(pipeline.FeatureNames));
        Assert.That(d.Features.Shape.ToArray(), Is.EqualTo(new[] { 2, 4 }));
        Assert.That(d.Task("label").ClassNames, Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(d.Task("label").Classes, Is.EqualTo(new[] { 2, 2 }), "'c' is class 2 as in training, not class 0 of this file");
        Assert.That(d.Task("size").Mask.ReadOnlySpan.ToArray(), Is.EqualTo(new[] { 0f, 1f }));

        // Loading the same file on its own numbers its classes and columns by itself: the problem the pipeline solves.
        var alone = TabularLoader.Load<float>(fresh, Schema());
        Assert.That(alone.Task("label").Classes, Is.EqualTo(new[] { 0, 0 }));
        Assert.That(alone.FeatureNames.Count, Is.EqualTo(2));
    }

    [Test]
    public void UnseenCategoryIsAnErrorNamingFileRowColumnAndValueByDefault()
    {
        var pipeline = TabularPipeline.Fit(CsvReader.Parse(TrainCsv, "train.csv", new CsvDialect()), Schema());
        string fresh = TestData.WriteTemp("unseen.csv", "x,colour,size,label\n2,red,1,a\n4,purple,1,a\n");
        var e = Assert.Throws<DataFormatException>(() => pipeline.Transform<float>(fresh));
        Assert.That(e!.Message, Does.Contain(fresh).And.Contain("row 2").And.Contain("column 'colour'").And.Contain("'purple'").And.Contain("UnknownBucket"));
        Assert.That((e.Row, e.Column), Is.EqualTo(((int?)2, "colour")));

        string newClass = TestData.WriteTemp("unseen-class.csv", "x,colour,size,label\n2,red,1,z\n");
        var c = Assert.Throws<DataFormatException>(() => pipeline.Transform<float>(newClass));
        Assert.That(c!.Message, Does.Contain("column 'label'").And.Contain("'z'"));
    }

    [Test]
    public void UnknownBucketTakesUnseenInputCategories()
    {
        var pipeline = TabularPipeline.Fit(CsvReader.Parse(TrainCsv, "train.csv", new CsvDialect()), Schema(UnseenCategoryPolicy.UnknownBucket));
        Assert.That(pipeline.Categories("colour"), Is.EqualTo(new[] { "blue", "green", "red", TabularSchema.UnknownCategory }));
        string fresh = TestData.WriteTemp("unseen.csv", "x,colour,size,label\n2,purple,1,a\n4,red,1,a\n");
        var d = pipeline.Transform<float>(fresh);
        Assert.That(d.FeatureNames[^1], Is.EqualTo("colour=<unknown>"));
        Assert.That(d.Features.ReadOnlySpan[1..5].ToArray(), Is.EqualTo(new[] { 0f, 0f, 0f, 1f }));
        Assert.That(d.Features.ReadOnlySpan[6..10].ToArray(), Is.EqualTo(new[] { 0f, 0f, 1f, 0f }));
    }

    [Test]
    public void SavedAndLoadedPipelineTransformsBitForBit()
    {
        var table = TabularLoader.Read(TestData.Penguins, TabularLoaderTests.PenguinSchema(MissingFeaturePolicy.DropRow));
        var pipeline = TabularPipeline.Fit(table, TabularLoaderTests.PenguinSchema(MissingFeaturePolicy.DropRow), DataSplit.Random(table.Rows.Count, 0.7, 0.15, 1).Train);
        string model = TestData.TempFile("penguins.safetensors");
        pipeline.SaveBeside(model);
        Assert.That(File.Exists(Path.ChangeExtension(model, ".pipeline.json")), Is.True);
        var loaded = TabularPipeline.LoadBeside(model);

        Assert.That(loaded.FeatureNames, Is.EqualTo(pipeline.FeatureNames));
        Assert.That(loaded.Categories("island"), Is.EqualTo(pipeline.Categories("island")));
        Assert.That(loaded.Categories("sex"), Is.EqualTo(pipeline.Categories("sex")));
        Assert.That(loaded.Schema.MissingFeatures, Is.EqualTo(MissingFeaturePolicy.DropRow));
        var a = pipeline.Transform<float>(table);
        var b = loaded.Transform<float>(table);
        Assert.That(b.Features.ContentEquals(a.Features), Is.True);
        Assert.That(b.Task("body_mass_g").Values!.ContentEquals(a.Task("body_mass_g").Values!), Is.True);
        Assert.That(b.DroppedRows, Is.EqualTo(a.DroppedRows));
        Assert.That(loaded.TargetStats["body_mass_g"], Is.EqualTo(pipeline.TargetStats["body_mass_g"]).Using<ScaleStats>((x, y) => x.Mean.SequenceEqual(y.Mean) && x.Std.SequenceEqual(y.Std)));
    }

    [Test]
    public void MalformedOrForeignSidecarIsACheckpointExceptionNamingTheFile()
    {
        string bad = TestData.WriteTemp("bad.pipeline.json", "{\"format\": \"mtl.tabular-pipeline\", \"version\": 1, \"schema\": {}}");
        var e = Assert.Throws<CheckpointException>(() => TabularPipeline.Load(bad));
        Assert.That(e!.Message, Does.Contain(bad).And.Contain("malformed"));

        string other = TestData.WriteTemp("other.json", "{\"format\": \"something\"}");
        Assert.That(() => TabularPipeline.Load(other), Throws.TypeOf<CheckpointException>().With.Message.Contain("not a tabular pipeline"));
        string future = TestData.WriteTemp("future.json", "{\"format\": \"mtl.tabular-pipeline\", \"version\": 9}");
        Assert.That(() => TabularPipeline.Load(future), Throws.TypeOf<CheckpointException>().With.Message.Contain("version 9"));
        Assert.That(() => TabularPipeline.Load(TestData.TempFile("none.json")), Throws.TypeOf<FileNotFoundException>());
    }

    [Test]
    public void EvaluateReportsRegressionMetricsInOriginalUnitsEqualToHandComputedValues()
    {
        string[] features = EnergyFixture.Features;
        var schema = new TabularSchema().Numeric(features).Regression("heating_load").Regression("cooling_load");
        var table = TabularLoader.Read(TestData.Energy, schema);
        var split = DataSplit.Random(table.Rows.Count, 0.7, 0.15, 7);
        var pipeline = TabularPipeline.Fit(table, schema, split.Train);
        var train = pipeline.Transform<double>(table, split.Train);
        var test = pipeline.Transform<double>(table, split.Test);
        var model = EnergyFixture.Model<double>(seed: 3);
        var trainer = new Trainer<double>(model, EnergyFixture.Tasks<double>(), EnergyFixture.Adam(model), new TrainerOptions<double> { Epochs = 3, Seed = 1 });
        trainer.Fit(train);

        var report = trainer.Evaluate(test);
        var predictions = trainer.Predict(test);
        var raw = pipeline.Encode<double>(table, split.Test);
        foreach (string task in new[] { "heating_load", "cooling_load" })
        {
            var stats = pipeline.TargetStats[task];
            double[] y = raw.Task(task).Values!.ToArray();
            double[] z = predictions[task].ToArray();
            double abs = 0, squares = 0, mean = y.Average(), total = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double p = (z[i] * stats.Std[0]) + stats.Mean[0];
                abs += Math.Abs(p - y[i]);
                squares += (p - y[i]) * (p - y[i]);
                total += (y[i] - mean) * (y[i] - mean);
            }

            var r = report.Regression[task];
            Assert.That(r.Mae, Is.EqualTo(abs / y.Length).Within(1e-9 * (1 + (abs / y.Length))), task);
            Assert.That(r.Mse, Is.EqualTo(squares / y.Length).Within(1e-9 * (1 + (squares / y.Length))), task);
            Assert.That(r.R2, Is.EqualTo(1 - (squares / total)).Within(1e-9), task);

            var original = pipeline.ToOriginalUnits(predictions)[task].ToArray();
            Assert.That(original[0], Is.EqualTo((z[0] * stats.Std[0]) + stats.Mean[0]).Within(1e-9));
        }

        // Unscaled targets for a model trained on scaled ones would give silently wrong metrics: refused.
        var e = Assert.Throws<ArgumentException>(() => trainer.Evaluate(raw.WithFeatures(test.Features)));
        Assert.That(e!.Message, Does.Contain("heating_load").And.Contain("original units").And.Contain("standardised with"));
    }

    [Test]
    public void PredictedClassesUseTheFittedNames()
    {
        var pipeline = TabularPipeline.Fit(CsvReader.Parse(TrainCsv, "train.csv", new CsvDialect()), Schema());
        var logits = Tensor.FromArray<float>([0f, 2f, 1f, 5f, 0f, 0f], 2, 3);
        var predictions = new TaskPredictions<float>(new Dictionary<string, Tensor<float>> { ["label"] = logits });
        Assert.That(pipeline.PredictedClasses(predictions, "label"), Is.EqualTo(new[] { "b", "a" }));
        Assert.That(() => pipeline.PredictedClasses(predictions, "size"), Throws.ArgumentException);
    }

    [Test]
    public void ReadmePipelineSnippetRunsAndIsShownVerbatim()
    {
        string csv = TestData.Penguins;
        string modelPath = TestData.TempFile("model.safetensors");
        string newCsv = TestData.WriteTemp("new-penguins.csv", "species;island;bill_length_mm;bill_depth_mm;flipper_length_mm;body_mass_g\nGentoo;Biscoe;47.5;15;218;4950\n");

        #region readme-pipeline
        var schema = new TabularSchema { MissingFeatures = MissingFeaturePolicy.DropRow }
            .Numeric("bill_length_mm", "bill_depth_mm", "flipper_length_mm")
            .Categorical("island")
            .Classification("species")
            .Regression("body_mass_g");
        var table = TabularLoader.Read(csv, schema);                     // CSV (delimiter detected) or .arff
        var split = DataSplit.Random(table.Rows.Count, 0.7, 0.15, seed: 1);
        var pipeline = TabularPipeline.Fit(table, schema, split.Train);  // vocabularies and scalers: training rows only
        var train = pipeline.Transform<float>(table, split.Train);
        var test = pipeline.Transform<float>(table, split.Test);          // Evaluate(test): body mass metrics in grams
        pipeline.SaveBeside(modelPath);                                   // model.pipeline.json beside model.safetensors

        // Later, in another process: the same one-hot columns, class numbers and scalers for a new file.
        var restored = TabularPipeline.LoadBeside(modelPath);
        var fresh = restored.Transform<float>(newCsv);
        #endregion

        Assert.That(train.Rows + test.Rows, Is.LessThan(table.Rows.Count));
        Assert.That(fresh.FeatureNames, Is.EqualTo(train.FeatureNames));
        Assert.That(fresh.Task("species").Classes![0], Is.EqualTo(train.Task("species").ClassNames.ToList().IndexOf("Gentoo")));
        Assert.That(fresh.OriginalTarget("body_mass_g").Values![0, 0], Is.EqualTo(4950f).Within(1e-2));

        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "Mtl.Tests", "Training", "Data", "PipelineTests.cs"));
        int start = source.IndexOf("#region readme-pipeline\n", StringComparison.Ordinal) + "#region readme-pipeline\n".Length;
        int end = source.LastIndexOf('\n', source.IndexOf("#endregion", start, StringComparison.Ordinal));
        string[] lines = source[start..end].Split('\n');
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        string code = string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
        Assert.That(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")), Does.Contain(code), "README.md must show region 'readme-pipeline' verbatim");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mtl.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Mtl.Core.sln not found above the test directory.");
    }
}
