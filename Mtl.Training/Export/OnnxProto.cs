using System.Numerics;
using System.Runtime.InteropServices;
using Mtl.Tensors;

namespace Mtl.Training.Export;

/// <summary>
/// The messages of onnx.proto that an exported model uses, with their field numbers: ModelProto
/// (ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8), OperatorSetIdProto
/// (domain 1, version 2), GraphProto (node 1, name 2, initializer 5, input 11, output 12), NodeProto
/// (input 1, output 2, name 3, op_type 4, attribute 5), AttributeProto (name 1, f 2, i 3, ints 8, type 20),
/// TensorProto (dims 1, data_type 2, name 8, raw_data 9), ValueInfoProto (name 1, type 2), TypeProto
/// (tensor_type 1), TypeProto.Tensor (elem_type 1, shape 2), TensorShapeProto (dim 1) and its Dimension
/// (dim_value 1, dim_param 2).
/// </summary>
internal static class OnnxProto
{
    /// <summary>IR version 8 (ONNX 1.10 to 1.12), which opset 17 needs at least.</summary>
    public const long IrVersion = 8;

    /// <summary>The default (ai.onnx) operator set the graph is written against.</summary>
    public const long OpsetVersion = 17;

    /// <summary>TensorProto.DataType of T: FLOAT = 1, DOUBLE = 11.</summary>
    public static int DataType<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => typeof(T) == typeof(float) ? 1 : 11;

    public static ProtobufWriter Model(ProtobufWriter graph, string producerVersion) => new ProtobufWriter()
        .Int64(1, IrVersion)
        .String(2, "Mtl")
        .String(3, producerVersion)
        .Message(7, graph)
        .Message(8, new ProtobufWriter().String(1, string.Empty).Int64(2, OpsetVersion));

    public static ProtobufWriter Node(string opType, string name, IReadOnlyList<string> inputs, string output, IEnumerable<ProtobufWriter> attributes)
    {
        var node = new ProtobufWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, name).String(4, opType);
        foreach (var attribute in attributes)
        {
            node.Message(5, attribute);
        }

        return node;
    }

    /// <summary>AttributeProto of type FLOAT (1).</summary>
    public static ProtobufWriter FloatAttribute(string name, float value) => new ProtobufWriter().String(1, name).Float(2, value).Int64(20, 1);

    /// <summary>AttributeProto of type INT (2).</summary>
    public static ProtobufWriter IntAttribute(string name, long value) => new ProtobufWriter().String(1, name).Int64(3, value).Int64(20, 2);

    /// <summary>AttributeProto of type INTS (7).</summary>
    public static ProtobufWriter IntsAttribute(string name, params long[] values) => new ProtobufWriter().String(1, name).RepeatedInt64(8, values).Int64(20, 7);

    /// <summary>A TensorProto with its elements as little-endian raw_data.</summary>
    public static ProtobufWriter Initializer<T>(string name, Tensor<T> tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; this machine is big-endian.");
        }

        var dims = new long[tensor.Rank];
        for (int a = 0; a < dims.Length; a++)
        {
            dims[a] = tensor.Shape[a];
        }

        return new ProtobufWriter()
            .RepeatedInt64(1, dims)
            .Int64(2, DataType<T>())
            .String(8, name)
            .Bytes(9, MemoryMarshal.AsBytes(tensor.ReadOnlySpan));
    }

    /// <summary>A ValueInfoProto for a [batch, width] tensor of T, batch a symbolic dimension.</summary>
    public static ProtobufWriter MatrixValue<T>(string name, int width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var shape = new ProtobufWriter()
            .Message(1, new ProtobufWriter().String(2, "batch"))
            .Message(1, new ProtobufWriter().Int64(1, width));
        var tensorType = new ProtobufWriter().Int64(1, DataType<T>()).Message(2, shape);
        return new ProtobufWriter().String(1, name).Message(2, new ProtobufWriter().Message(1, tensorType));
    }
}
