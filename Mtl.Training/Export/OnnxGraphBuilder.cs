using System.Numerics;
using Mtl.Tensors;

namespace Mtl.Training.Export;

/// <summary>
/// Collects an ONNX graph's nodes and initializers in topological order (a node is added after the nodes that
/// produce its inputs), giving every value a unique name: each node has one output, named after the node.
/// </summary>
internal sealed class OnnxGraphBuilder<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ProtobufWriter> _nodes = [];
    private readonly List<ProtobufWriter> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Claims a name the graph's inputs or outputs use, so no node or initializer takes it.</summary>
    /// <exception cref="ArgumentException">The name is taken already.</exception>
    public void Reserve(string name, string what)
    {
        if (!_names.Add(name))
        {
            throw new ArgumentException($"OnnxExport: {what} '{name}' is used twice in the graph (task names and the input name must differ).", nameof(name));
        }
    }

    /// <summary>Adds a node; its output, returned, is named <paramref name="name"/> (made unique).</summary>
    public string Node(string opType, string name, string[] inputs, params ProtobufWriter[] attributes)
    {
        string output = Unique(name);
        _nodes.Add(OnnxProto.Node(opType, output, inputs, output, attributes));
        return output;
    }

    /// <summary>A node whose output has a reserved name (a graph output).</summary>
    public void NodeInto(string opType, string output, string input) =>
        _nodes.Add(OnnxProto.Node(opType, output + ".identity", [input], output, []));

    /// <summary>A constant tensor (a copy of <paramref name="value"/>'s elements), returned by name.</summary>
    public string Initializer(string name, Tensor<T> value)
    {
        string unique = Unique(name);
        _initializers.Add(OnnxProto.Initializer(unique, value));
        return unique;
    }

    /// <summary>A constant scalar that broadcasts against any tensor.</summary>
    public string Scalar(string name, double value) => Initializer(name, Tensor.Scalar(T.CreateTruncating(value)));

    /// <summary>The GraphProto: nodes, initializers, then the inputs' and outputs' value infos.</summary>
    public ProtobufWriter Build(string graphName, IEnumerable<ProtobufWriter> inputs, IEnumerable<ProtobufWriter> outputs)
    {
        var graph = new ProtobufWriter();
        foreach (var node in _nodes)
        {
            graph.Message(1, node);
        }

        graph.String(2, graphName);
        foreach (var initializer in _initializers)
        {
            graph.Message(5, initializer);
        }

        foreach (var input in inputs)
        {
            graph.Message(11, input);
        }

        foreach (var output in outputs)
        {
            graph.Message(12, output);
        }

        return graph;
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }

        return candidate;
    }
}
