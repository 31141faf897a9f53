using System.Diagnostics;
using System.Globalization;
using Mtl.Layers;
using Mtl.Tensors;
using Mtl.Training;
using Mtl.Training.Data;
using Mtl.Training.Losses;
using Mtl.Training.Optim;
using Mtl.Training.Optim.Schedules;
using Mtl.Training.Weighting;

namespace Mtl.Examples;

/// <summary>
/// Tasks with different inputs through the Trainer: on UCI Energy Efficiency, heating load is predicted from the
/// building's shape alone (compactness, surface, wall, roof, height: 5 features) on half of the training
/// buildings, cooling load from all 8 features on the other half. A <see cref="MultiInputModel{T}"/> gives each
/// task its own encoder into a shared block and head, and the Trainer draws one batch of each task per step; it
/// is compared with the same networks trained apart, and with uncertainty weighting and PCGrad on the shared block.
/// </summary>
public sealed class InputsExample : IExample
{
    private const int Hidden = 32;
    private const int BatchSize = 16;
    private const double LearningRate = 3e-3;
    private const int Seeds = 3;
    private static readonly string[] Shape = ["relative_compactness", "surface_area", "wall_area", "roof_area", "overall_height"];
    private static readonly string[] Methods = ["separate", "shared block", "+ uncertainty", "+ PCGrad"];

    /// <inheritdoc />
    public string Name => "inputs";

    /// <inheritdoc />
    public string Summary => "tasks with different inputs and rows (multi-input model through the Trainer): heating from the shape, cooling from all features";

    /// <inheritdoc />
    public int DefaultEpochs => 150;

    /// <inheritdoc />
    public void Run(ExampleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var w = context.Out;
        string path = context.DataFile("energy-efficiency.csv");
        var data = ExampleContext.Load(path, () => EnergyExample.Prepare(path, context));
        int epochs = context.Epochs(DefaultEpochs);
        ulong seed = context.Options.Seed;

        // Each task sees its own rows (alternate training rows: the file is ordered by glazing, so halves would
        // differ in kind) and its own columns.
        var heatingRows = Enumerable.Range(0, data.Train.Rows).Where(i => i % 2 == 0).ToArray();
        var coolingRows = Enumerable.Range(0, data.Train.Rows).Where(i => i % 2 == 1).ToArray();
        var train = new Dictionary<string, MultiTaskDataset<float>>
        {
            ["heating_load"] = data.Train.Subset(heatingRows).SelectFeatures(Shape),
            ["cooling_load"] = data.Train.Subset(coolingRows),
        };
        var validation = View(data.Validation);
        var test = View(data.Test);
        w.WriteLine($"data: {path}; heating_load: {train["heating_load"].Rows} training rows, inputs {string.Join(", ", Shape)}; cooling_load: {train["cooling_load"].Rows} other training rows, all 8 inputs; {data.Test.Rows} test rows each");
        w.WriteLine($"model: an encoder per task (its inputs → {Hidden}, relu), a shared block {Hidden}→{Hidden} (relu), a linear head per task; separate: the same network per task, trained alone");
        w.WriteLine($"training: {epochs} epochs of one batch of {BatchSize} per task per step, Adam lr {LearningRate} with cosine annealing; seeds {seed}..{seed + Seeds - 1}; test MAE in kWh/m²");

        var table = new ConsoleTable("model", "heating MAE", "cooling MAE", "parameters");
        foreach (string method in Methods)
        {
            var mae = new List<(double Heating, double Cooling)>();
            long parameters = 0;
            for (int s = 0; s < Seeds; s++)
            {
                ulong runSeed = seed + (ulong)s;
                if (method == "separate")
                {
                    double heating = Fit(["heating_load"], train, validation, test, epochs, runSeed, null, out long p1)["heating_load"];
                    double cooling = Fit(["cooling_load"], train, validation, test, epochs, runSeed, null, out long p2)["cooling_load"];
                    parameters = p1 + p2;
                    mae.Add((heating, cooling));
                }
                else
                {
                    var result = Fit(["heating_load", "cooling_load"], train, validation, test, epochs, runSeed, method, out parameters);
                    mae.Add((result["heating_load"], result["cooling_load"]));
                }
            }

            table.Add(method, ConsoleTable.MeanSd([.. mae.Select(m => m.Heating)], 3), ConsoleTable.MeanSd([.. mae.Select(m => m.Cooling)], 3), parameters.ToString(CultureInfo.InvariantCulture));
            w.WriteLine($"{method} done");
        }

        w.WriteLine();
        w.WriteLine($"test split ({data.Test.Rows} rows), MAE mean ± sd over {Seeds} seeds:");
        w.Write(table.ToString());
    }

    private static Dictionary<string, MultiTaskDataset<float>> View(MultiTaskDataset<float> data) => new()
    {
        ["heating_load"] = data.SelectFeatures(Shape),
        ["cooling_load"] = data,
    };

    private static Dictionary<string, double> Fit(string[] tasks, Dictionary<string, MultiTaskDataset<float>> train, Dictionary<string, MultiTaskDataset<float>> validation, Dictionary<string, MultiTaskDataset<float>> test, int epochs, ulong seed, string? method, out long parameters)
    {
        var random = new SeededRandom(seed + 1);
        var model = new MultiInputModel<float>(new Sequential<float>(new Linear<float>(Hidden, Hidden, random), new ReLU<float>()));
        foreach (string task in tasks)
        {
            int inputs = train[task].Features.Shape[1];
            model.AddTask(task, new Sequential<float>(new Linear<float>(inputs, Hidden, random), new ReLU<float>()), new Linear<float>(Hidden, 1, random));
        }

        parameters = model.ParameterCount;
        var named = model.NamedParameters().ToList();
        var options = new TrainerOptions<float> { Epochs = epochs, BatchSize = BatchSize, Seed = seed + 2 };
        if (method == "+ uncertainty")
        {
            var weighting = new UncertaintyWeighting<float>(tasks.Select(t => new KeyValuePair<string, TaskKind>(t, TaskKind.Regression)));
            named.AddRange(weighting.NamedParameters());
            options = options with { Weighting = weighting };
        }
        else if (method == "+ PCGrad")
        {
            options = options with { GradientCombiner = new PCGradCombiner((int)seed) };
        }

        var optimizer = new Adam<float>(named, new AdamOptions { LearningRate = LearningRate });
        var trainer = new Trainer<float>(model, tasks.Select(t => new TrainingTask<float>(t, new MseLoss<float>())), optimizer, options);
        var schedule = new LearningRateScheduler<float>(optimizer, new CosineAnnealingLR(epochs));
        trainer.EpochEnded += _ => schedule.Step();
        trainer.Fit(tasks.ToDictionary(t => t, t => train[t]), tasks.ToDictionary(t => t, t => validation[t]));
        var result = trainer.Evaluate(tasks.ToDictionary(t => t, t => test[t]));
        return tasks.ToDictionary(t => t, t => result.Regression[t].Mae);
    }

}
