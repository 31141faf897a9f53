using System.Numerics;
using Mtl.Layers;
using Mtl.Tensors;

namespace Mtl.Training.Export;

/// <summary>Each supported layer as ONNX nodes (the table on <see cref="OnnxExport"/>), checking that widths chain.</summary>
internal sealed class LayerExporter<T>(OnnxGraphBuilder<T> graph)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The input width <paramref name="layer"/> fixes, or null when it takes any width (activations).</summary>
    public static int? InputWidth(Layer<T> layer) => layer switch
    {
        Linear<T> linear => linear.InFeatures,
        LayerNorm<T> norm => norm.NormalizedSize,
        BatchNorm1d<T> norm => norm.NumFeatures,
        Sequential<T> chain => chain.Layers.Select(InputWidth).FirstOrDefault(w => w is not null),
        _ => null,
    };

    /// <summary>Adds <paramref name="layer"/> applied to <paramref name="input"/>; returns its output and width.</summary>
    public (string Name, int Width) Emit(Layer<T> layer, (string Name, int Width) input)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (InputWidth(layer) is { } width && width != input.Width && layer is not Sequential<T>)
        {
            throw new ArgumentException($"OnnxExport: {layer.GetType().Name} at '{layer.Path}' takes width {width} but is given {input.Width}.", nameof(layer));
        }

        string x = input.Name;
        string p = layer.Path;
        return layer switch
        {
            Sequential<T> chain => chain.Layers.Aggregate(input, (value, child) => Emit(child, value)),
            Linear<T> linear => (Gemm(linear, x), linear.OutFeatures),
            ReLU<T> => (graph.Node("Relu", $"{p}.relu", [x]), input.Width),
            LeakyReLU<T> leaky => (LeakyRelu(p, x, leaky.Slope), input.Width),
            Tanh<T> => (graph.Node("Tanh", $"{p}.tanh", [x]), input.Width),
            Sigmoid<T> => (graph.Node("Sigmoid", $"{p}.sigmoid", [x]), input.Width),
            GELU<T> gelu => (gelu.TanhApproximation ? GeluTanh(p, x) : Gelu(p, x), input.Width),
            Dropout<T> => input,
            LayerNorm<T> norm => (LayerNorm(norm, x), input.Width),
            BatchNorm1d<T> norm => (BatchNorm(norm, x), input.Width),
            _ => throw new NotSupportedException(
                $"OnnxExport: {layer.GetType().Name} at '{p}' has no ONNX export; supported layers: Linear, ReLU, LeakyReLU, Tanh, Sigmoid, GELU, Dropout, LayerNorm, BatchNorm1d and Sequential of them."),
        };
    }

    /// <summary>y = x·Wᵀ + b as Gemm(x, W, b) with transB = 1 (W stays [out, in], as Mtl and PyTorch store it).</summary>
    private string Gemm(Linear<T> linear, string x)
    {
        string w = graph.Initializer($"{linear.Path}.weight", linear.Weight.Data);
        string[] inputs = linear.Bias is null ? [x, w] : [x, w, graph.Initializer($"{linear.Path}.bias", linear.Bias.Data)];
        return graph.Node("Gemm", $"{linear.Path}.gemm", inputs, OnnxProto.IntAttribute("transB", 1));
    }

    /// <summary>x for x &gt; 0, slope·x otherwise. ONNX's LeakyRelu takes its slope as a float attribute, which is the
    /// slope Mtl uses in float32; in float64 the slope would lose its low bits, so there it is Where(x &gt; 0, x, slope·x)
    /// with the slope a float64 constant.</summary>
    private string LeakyRelu(string p, string x, double slope)
    {
        if (typeof(T) == typeof(float))
        {
            return graph.Node("LeakyRelu", $"{p}.leaky_relu", [x], OnnxProto.FloatAttribute("alpha", (float)slope));
        }

        string positive = graph.Node("Greater", $"{p}.positive", [x, graph.Scalar($"{p}.zero", 0)]);
        string sloped = graph.Node("Mul", $"{p}.sloped", [x, graph.Scalar($"{p}.slope", slope)]);
        return graph.Node("Where", $"{p}.leaky_relu", [positive, x, sloped]);
    }

    /// <summary>GELU(x) = ½·x·(1 + erf(x/√2)).</summary>
    private string Gelu(string p, string x)
    {
        string scaled = graph.Node("Div", $"{p}.gelu_scaled", [x, graph.Scalar($"{p}.gelu_sqrt2", Math.Sqrt(2))]);
        string erf = graph.Node("Erf", $"{p}.gelu_erf", [scaled]);
        string onePlus = graph.Node("Add", $"{p}.gelu_one_plus", [erf, graph.Scalar($"{p}.gelu_one", 1)]);
        string times = graph.Node("Mul", $"{p}.gelu_times_x", [x, onePlus]);
        return graph.Node("Mul", $"{p}.gelu", [times, graph.Scalar($"{p}.gelu_half", 0.5)]);
    }

    /// <summary>GELU's tanh form ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    private string GeluTanh(string p, string x)
    {
        string square = graph.Node("Mul", $"{p}.gelu_x2", [x, x]);
        string cube = graph.Node("Mul", $"{p}.gelu_x3", [square, x]);
        string cubic = graph.Node("Mul", $"{p}.gelu_cubic", [cube, graph.Scalar($"{p}.gelu_c", 0.044715)]);
        string inner = graph.Node("Add", $"{p}.gelu_inner", [x, cubic]);
        string u = graph.Node("Mul", $"{p}.gelu_u", [inner, graph.Scalar($"{p}.gelu_k", Math.Sqrt(2 / Math.PI))]);
        string tanh = graph.Node("Tanh", $"{p}.gelu_tanh", [u]);
        string onePlus = graph.Node("Add", $"{p}.gelu_one_plus", [tanh, graph.Scalar($"{p}.gelu_one", 1)]);
        string times = graph.Node("Mul", $"{p}.gelu_times_x", [x, onePlus]);
        return graph.Node("Mul", $"{p}.gelu", [times, graph.Scalar($"{p}.gelu_half", 0.5)]);
    }

    /// <summary>y = (x − μ)·(σ² + ε)^−½·weight + bias, μ and the biased σ² over the last axis, in the order Mtl computes them.</summary>
    private string LayerNorm(LayerNorm<T> norm, string x)
    {
        string p = norm.Path;
        var lastAxis = OnnxProto.IntsAttribute("axes", -1);
        var keep = OnnxProto.IntAttribute("keepdims", 1);
        string mean = graph.Node("ReduceMean", $"{p}.mean", [x], lastAxis, keep);
        string centred = graph.Node("Sub", $"{p}.centred", [x, mean]);
        string square = graph.Node("Mul", $"{p}.square", [centred, centred]);
        string variance = graph.Node("ReduceMean", $"{p}.variance", [square], OnnxProto.IntsAttribute("axes", -1), OnnxProto.IntAttribute("keepdims", 1));
        string inverseStd = InverseStd(p, variance, norm.Eps);
        return Affine(p, graph.Node("Mul", $"{p}.normalized", [centred, inverseStd]), norm.Weight.Data, norm.Bias.Data);
    }

    /// <summary>Evaluation form: y = (x − running_mean)·(running_var + ε)^−½·weight + bias.</summary>
    private string BatchNorm(BatchNorm1d<T> norm, string x)
    {
        string p = norm.Path;
        string centred = graph.Node("Sub", $"{p}.centred", [x, graph.Initializer($"{p}.running_mean", norm.RunningMean)]);
        string inverseStd = InverseStd(p, graph.Initializer($"{p}.running_var", norm.RunningVar), norm.Eps);
        return Affine(p, graph.Node("Mul", $"{p}.normalized", [centred, inverseStd]), norm.Weight.Data, norm.Bias.Data);
    }

    private string InverseStd(string p, string variance, double eps)
    {
        string shifted = graph.Node("Add", $"{p}.variance_eps", [variance, graph.Scalar($"{p}.eps", eps)]);
        string std = graph.Node("Sqrt", $"{p}.std", [shifted]);
        return graph.Node("Reciprocal", $"{p}.inverse_std", [std]);
    }

    private string Affine(string p, string normalized, Tensor<T> weight, Tensor<T> bias)
    {
        string scaled = graph.Node("Mul", $"{p}.scaled", [normalized, graph.Initializer($"{p}.weight", weight)]);
        return graph.Node("Add", $"{p}.output", [scaled, graph.Initializer($"{p}.bias", bias)]);
    }
}
