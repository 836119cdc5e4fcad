using System.Reflection;
using System.Text.RegularExpressions;
using Nabla.Tensors;

namespace Nabla.Tests.Architecture;

/// <summary>
/// Enforces the layering of ../shared/ARCHITECTURE.md: each layer may use only the layers listed
/// before it. Checked twice: in the compiled assembly (every type a member signature or base
/// type mentions) and in the sources (namespaces named in using directives or qualified names).
/// </summary>
public partial class LayeringTests
{
    // Lowest first. The root namespace "Nabla" holds only the shared exception base.
    private static readonly string[] Layers =
        ["Nabla", "Nabla.Kernels", "Nabla.Tensors", "Nabla.Autograd", "Nabla.Nn", "Nabla.Optim", "Nabla.Training", "Nabla.Data", "Nabla.IO"];

    private static int LayerOf(string? ns)
    {
        if (ns is null) return -1;
        for (int i = Layers.Length - 1; i >= 1; i--)
            if (ns == Layers[i] || ns.StartsWith(Layers[i] + ".", StringComparison.Ordinal)) return i;
        return ns == "Nabla" ? 0 : -1;
    }

    [Fact]
    public void No_type_mentions_a_type_of_a_higher_layer()
    {
        var violations = new List<string>();
        var assembly = typeof(Tensor).Assembly;
        foreach (var type in assembly.GetTypes())
        {
            int own = LayerOf(type.Namespace);
            if (own < 0) continue;
            foreach (var used in Mentioned(type))
            {
                if (used.Assembly != assembly) continue;
                int other = LayerOf(used.Namespace);
                if (other > own) violations.Add($"{type.FullName} ({Layers[own]}) uses {used.FullName} ({Layers[other]})");
            }
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations.Distinct()));
    }

    [Fact]
    public void No_source_file_names_a_higher_layers_namespace()
    {
        var root = Path.Combine(RepoRoot(), "src", "Nabla");
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
            // Comments may mention other layers (docs say where operations live); code may not.
            var text = LineComment().Replace(File.ReadAllText(file), "");
            var declared = NamespaceDecl().Match(text);
            int own = LayerOf(declared.Success ? declared.Groups[1].Value : null);
            if (own < 0) continue;
            foreach (Match m in NablaName().Matches(text))
            {
                int other = LayerOf(m.Value);
                if (other > own) violations.Add($"{Path.GetRelativePath(root, file)} ({Layers[own]}) names {m.Value}");
            }
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations.Distinct()));
    }

    private static IEnumerable<Type> Mentioned(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b) yield return b;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var f in type.GetFields(all)) yield return f.FieldType;
        foreach (var p in type.GetProperties(all)) yield return p.PropertyType;
        foreach (var m in type.GetMethods(all))
        {
            yield return m.ReturnType;
            foreach (var p in m.GetParameters()) yield return p.ParameterType;
        }
        foreach (var c in type.GetConstructors(all))
            foreach (var p in c.GetParameters()) yield return p.ParameterType;
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Nabla.slnx) above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDecl();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\bNabla(\.[A-Z]\w*)+")]
    private static partial Regex NablaName();
}
