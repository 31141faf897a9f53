using System.Numerics;
using System.Reflection;
using Mtl.Layers;
using Mtl.Training.Checkpoints;

namespace Mtl.Training.Export;

/// <summary>
/// Exports a trained <see cref="MultiTaskModel{T}"/> as an ONNX model (IR version 8, opset 17) that ONNX
/// Runtime and other ONNX tools run: one graph input <c>[batch, features]</c> and one graph output per task,
/// named after the task, holding what <c>Trainer.Predict</c> gives for it (the model in evaluation mode).
/// Parameters become initializers under their Mtl names (<c>shared.0.weight</c>). The file is written by
/// Mtl's own protobuf writer; no ONNX package is needed.
/// </summary>
/// <remarks>
/// Layers and their ONNX form: <see cref="Linear{T}"/> → Gemm (transB = 1); <see cref="ReLU{T}"/>,
/// <see cref="LeakyReLU{T}"/>, <see cref="Tanh{T}"/>, <see cref="Sigmoid{T}"/> → their ONNX operators;
/// <see cref="GELU{T}"/> → ½x(1 + erf(x/√2)) or its tanh form from Erf/Tanh, Mul and Add (opset 17 has no
/// Gelu); <see cref="Dropout{T}"/> → nothing (the identity, as in evaluation); <see cref="LayerNorm{T}"/> →
/// ReduceMean, Sub, Mul, Add, Sqrt, Reciprocal over the last axis; <see cref="BatchNorm1d{T}"/> → its
/// evaluation form (x − running_mean)/√(running_var + ε)·weight + bias; <see cref="Sequential{T}"/> → its
/// layers in order. Any other layer throws <see cref="NotSupportedException"/> naming it. Heads that attach
/// part-way down the trunk (hierarchical sharing) read the trunk's value at their depth.
/// </remarks>
public static class OnnxExport
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as ONNX, replacing the file atomically.</summary>
    /// <param name="model">The model; its parameters and buffers are copied as they are now.</param>
    /// <param name="path">The .onnx file to create or replace.</param>
    /// <param name="inputName">The graph input's name.</param>
    /// <exception cref="NotSupportedException">A layer has no ONNX form here; the message names its type and path.</exception>
    /// <exception cref="ArgumentException">The model has no heads, its input width cannot be told from its first
    /// layer, layers do not chain, or a task is named like the input.</exception>
    public static void Save<T>(MultiTaskModel<T> model, string path, string inputName = "input")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = ToBytes(model, inputName);
        AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>The ONNX model as bytes (what <see cref="Save{T}"/> writes).</summary>
    /// <inheritdoc cref="Save{T}" path="/exception"/>
    public static byte[] ToBytes<T>(MultiTaskModel<T> model, string inputName = "input")
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(inputName);
        if (model.Tasks.Count == 0)
        {
            throw new ArgumentException("OnnxExport: the model has no heads; add one per task before exporting.", nameof(model));
        }

        var graph = new OnnxGraphBuilder<T>();
        graph.Reserve(inputName, "the input name");
        foreach (var task in model.Tasks)
        {
            graph.Reserve(task, "the task name");
        }

        int inputWidth = InputWidth(model) ?? throw new ArgumentException(
            "OnnxExport: the model's input width cannot be told: neither the trunk nor a head starts with a Linear, LayerNorm or BatchNorm1d layer.", nameof(model));

        // The trunk's value after each depth a head needs, walked once.
        var exporter = new LayerExporter<T>(graph);
        int deepest = model.Tasks.Max(model.DepthOf);
        var atDepth = new (string Name, int Width)[deepest + 1];
        atDepth[0] = (inputName, inputWidth);
        for (int d = 0; d < deepest; d++)
        {
            atDepth[d + 1] = exporter.Emit(model.Shared[d], atDepth[d]);
        }

        var outputs = new List<ProtobufWriter>();
        foreach (var task in model.Tasks)
        {
            var (value, width) = exporter.Emit((Layer<T>)model.Heads[task], atDepth[model.DepthOf(task)]);
            graph.NodeInto("Identity", task, value);
            outputs.Add(OnnxProto.MatrixValue<T>(task, width));
        }

        var proto = graph.Build("mtl_multitask_model", [OnnxProto.MatrixValue<T>(inputName, inputWidth)], outputs);
        string version = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return OnnxProto.Model(proto, version.Split('+')[0]).WrittenSpan.ToArray();
    }

    /// <summary>The width of the first layer that has one: the trunk's, or (for a head at depth 0) a head's.</summary>
    private static int? InputWidth<T>(MultiTaskModel<T> model)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var layer in model.Shared.Layers)
        {
            if (LayerExporter<T>.InputWidth(layer) is { } width)
            {
                return width;
            }
        }

        foreach (var task in model.Tasks.Where(t => model.DepthOf(t) == model.Shared.Count))
        {
            if (LayerExporter<T>.InputWidth((Layer<T>)model.Heads[task]) is { } width)
            {
                return width;
            }
        }

        return null;
    }
}
