using System.Text.Json;
using Mtl.Training.Checkpoints;

namespace Mtl.Training.Data;

// Saving and loading: a small JSON document (format "mtl.tabular-pipeline", version 1), written atomically
// like the checkpoints, so a crash mid-save leaves the previous file intact. Doubles are written with
// the round-trip format, so a loaded pipeline scales bit for bit as the saved one did.
public sealed partial class TabularPipeline
{
    private const string Format = "mtl.tabular-pipeline";
    private const int Version = 1;

    /// <summary>The sidecar file of a model checkpoint: <c>model.safetensors</c> → <c>model.pipeline.json</c>.</summary>
    public static string SidecarPath(string checkpointPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        return Path.ChangeExtension(checkpointPath, ".pipeline.json");
    }

    /// <summary>Saves the pipeline beside the model checkpoint <paramref name="checkpointPath"/> (see <see cref="SidecarPath"/>).</summary>
    public void SaveBeside(string checkpointPath) => Save(SidecarPath(checkpointPath));

    /// <summary>Loads the pipeline saved beside the model checkpoint <paramref name="checkpointPath"/>.</summary>
    /// <exception cref="CheckpointException">The sidecar is missing or malformed.</exception>
    public static TabularPipeline LoadBeside(string checkpointPath) => Load(SidecarPath(checkpointPath));

    /// <summary>Writes the pipeline to <paramref name="path"/> as JSON, replacing the file atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", Version);
            w.WriteStartObject("schema");
            WriteStrings(w, "missing_markers", Schema.MissingMarkers);
            w.WriteString("missing_features", Schema.MissingFeatures.ToString());
            w.WriteString("category_order", Schema.CategoryOrder.ToString());
            w.WriteString("unseen_categories", Schema.UnseenCategories.ToString());
            if (Schema.Delimiter is char d)
            {
                w.WriteString("delimiter", d.ToString());
            }

            w.WriteBoolean("trim_fields", Schema.TrimFields);
            w.WriteStartArray("inputs");
            foreach (var c in Schema.Inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("kind", c.Kind.ToString());
                if (c.Categories is not null)
                {
                    WriteStrings(w, "categories", c.Categories);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("targets");
            foreach (var t in Schema.Targets)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("kind", t.Kind.ToString());
                if (t.Classes is not null)
                {
                    WriteStrings(w, "classes", t.Classes);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            WriteStrings(w, "feature_names", FeatureNames);
            w.WriteStartArray("scalable_columns");
            foreach (int c in ScalableColumns)
            {
                w.WriteNumberValue(c);
            }

            w.WriteEndArray();
            if (FeatureStats is not null)
            {
                WriteStats(w, "feature_scale", FeatureStats);
            }

            w.WriteStartObject("target_scale");
            foreach (var (task, stats) in TargetStats)
            {
                WriteStats(w, task, stats);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>Reads a pipeline written by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">The file is not valid JSON, not a pipeline, of another version, or inconsistent.</exception>
    public static TabularPipeline Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"TabularPipeline: '{path}' does not exist (full path '{Path.GetFullPath(path)}').", path);
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (!root.TryGetProperty("format", out var format) || format.GetString() != Format)
            {
                throw new CheckpointException(path, null, $"not a tabular pipeline (expected \"format\": \"{Format}\").");
            }

            int version = root.GetProperty("version").GetInt32();
            if (version != Version)
            {
                throw new CheckpointException(path, null, $"pipeline format version {version}; this build reads version {Version}.");
            }

            var s = root.GetProperty("schema");
            var inputs = s.GetProperty("inputs").EnumerateArray().Select(c => new InputColumn(
                c.GetProperty("name").GetString()!,
                Enum.Parse<InputKind>(c.GetProperty("kind").GetString()!),
                c.TryGetProperty("categories", out var cat) ? ReadStrings(cat) : null)).ToList();
            var targets = s.GetProperty("targets").EnumerateArray().Select(t => new TargetColumn(
                t.GetProperty("name").GetString()!,
                Enum.Parse<TaskKind>(t.GetProperty("kind").GetString()!),
                t.TryGetProperty("classes", out var cls) ? ReadStrings(cls) : null)).ToList();
            string? delimiter = s.TryGetProperty("delimiter", out var de) ? de.GetString() : null;
            var schema = new TabularSchema
            {
                MissingMarkers = ReadStrings(s.GetProperty("missing_markers")),
                MissingFeatures = Enum.Parse<MissingFeaturePolicy>(s.GetProperty("missing_features").GetString()!),
                CategoryOrder = Enum.Parse<CategoryOrder>(s.GetProperty("category_order").GetString()!),
                UnseenCategories = Enum.Parse<UnseenCategoryPolicy>(s.GetProperty("unseen_categories").GetString()!),
                Delimiter = delimiter is { Length: 1 } ? delimiter[0] : null,
                TrimFields = s.GetProperty("trim_fields").GetBoolean(),
            }.With(inputs, targets);

            var names = ReadStrings(root.GetProperty("feature_names"));
            int[] scalable = [.. root.GetProperty("scalable_columns").EnumerateArray().Select(e => e.GetInt32())];
            var featureStats = root.TryGetProperty("feature_scale", out var fs) ? ReadStats(fs) : null;
            var targetStats = new Dictionary<string, ScaleStats>(StringComparer.Ordinal);
            foreach (var p in root.GetProperty("target_scale").EnumerateObject())
            {
                targetStats[p.Name] = ReadStats(p.Value);
            }

            var pipeline = new TabularPipeline(schema, names, scalable, featureStats, targetStats);

            // Constructing the scalers validates lengths, ranges and σ > 0 before anyone relies on them.
            _ = pipeline.FeatureScaler<double>();
            foreach (var task in targetStats.Keys)
            {
                _ = pipeline.TargetScaler<double>(task);
            }

            return pipeline;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new CheckpointException(path, null, $"malformed tabular pipeline: {e.Message}", e);
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (string v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteStats(Utf8JsonWriter w, string name, ScaleStats stats)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("mean");
        foreach (double v in stats.Mean)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
        w.WriteStartArray("std");
        foreach (double v in stats.Std)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string[] ReadStrings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static ScaleStats ReadStats(JsonElement e) => new(
        [.. e.GetProperty("mean").EnumerateArray().Select(v => v.GetDouble())],
        [.. e.GetProperty("std").EnumerateArray().Select(v => v.GetDouble())]);
}
