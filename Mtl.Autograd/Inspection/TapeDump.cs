using System.Globalization;
using System.Text;

namespace Mtl.Autograd;

public sealed partial class Tape
{
    /// <summary>
    /// A readable listing of the live generation, one line per op in execution order: position, op,
    /// inputs (name or producing op, and shape), output shape, and value and gradient statistics.
    /// </summary>
    public string Dump()
    {
        var sb = new StringBuilder();
        foreach (var node in _nodes)
        {
            sb.Append(FormatNode(node)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>One line of <see cref="Dump"/>.</summary>
    public static string FormatNode(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"#{node.Index,-3} {node.OpName,-14}");
        var inputs = node.Inputs;
        for (int i = 0; i < inputs.Count; i++)
        {
            sb.Append(i == 0 ? " " : ", ").Append(Label(inputs[i])).Append(inputs[i].Shape);
        }

        if (node.Detail.Length > 0)
        {
            sb.Append(" (").Append(node.Detail).Append(')');
        }

        sb.Append(" -> ").Append(node.Output.Shape);
        sb.Append("  value ").Append(node.Output.ValueStats());
        var g = node.Output.GradStats();
        sb.Append("  grad ").Append(g is null ? "-" : g.Value.ToString());
        return sb.ToString();
    }

    private static string Label(IVar v) =>
        v.Name is not null ? $"'{v.Name}'"
        : v.Creator is { } c ? "#" + c.Index.ToString(CultureInfo.InvariantCulture)
        : v.RequiresGrad ? "param" : "const";
}
