using System.Globalization;
using System.Text;

namespace Mtl.Autograd;

/// <summary>
/// Exports the graph that produced a value as Graphviz DOT: ops as boxes labelled with op, output shape
/// and (after backward) the gradient norm; leaves as ellipses labelled with their name (parameters) and
/// shape. Render with <c>dot -Tsvg graph.dot -o graph.svg</c>.
/// </summary>
public static class Graphviz
{
    /// <summary>The DOT text of the graph reachable backwards from <paramref name="root"/>.</summary>
    public static string ToDot(IVar root, string graphName = "mtl")
    {
        ArgumentNullException.ThrowIfNull(root);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(ci, $"digraph {Quote(graphName)} {{\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
        var ids = new Dictionary<IVar, string>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<IVar>();
        stack.Push(root);
        Id(root, ids);
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            string id = ids[v];
            string grad = v.GradStats() is { } g ? string.Create(ci, $"\\n|grad|={g.Norm:G4}") : string.Empty;
            if (v.Creator is { } node)
            {
                string detail = node.Detail.Length > 0 ? $"\\n{Escape(node.Detail)}" : string.Empty;
                sb.Append(ci, $"  {id} [shape=box, style=filled, fillcolor=\"#dde8f5\", label=\"#{node.Index} {Escape(node.OpName)}{detail}\\n{v.Shape}{grad}\"];\n");
                foreach (var input in node.Inputs)
                {
                    bool seen = ids.ContainsKey(input);
                    string inputId = Id(input, ids);
                    sb.Append(ci, $"  {inputId} -> {id};\n");
                    if (!seen)
                    {
                        stack.Push(input);
                    }
                }
            }
            else
            {
                string name = v.Name ?? (v.RequiresGrad ? "parameter" : "constant");
                string fill = v.RequiresGrad ? "#f5e6c8" : "#eeeeee";
                sb.Append(ci, $"  {id} [shape=ellipse, style=filled, fillcolor=\"{fill}\", label=\"{Escape(name)}\\n{v.Shape}{grad}\"];\n");
            }
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    private static string Id(IVar v, Dictionary<IVar, string> ids)
    {
        if (!ids.TryGetValue(v, out var id))
        {
            id = "v" + ids.Count.ToString(CultureInfo.InvariantCulture);
            ids.Add(v, id);
        }

        return id;
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string Quote(string s) => "\"" + Escape(s) + "\"";
}
