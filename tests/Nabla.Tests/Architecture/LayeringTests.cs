using System.Reflection;
using System.Text.RegularExpressions;
using Nabla.Data;
using Nabla.Tensors;

namespace Nabla.Tests.Architecture;

/// <summary>
/// Enforces the layering shown in docs/design.md: each layer may use only the layers listed before
/// it. Checked twice: in the compiled assembly (every type a signature, base type, generic argument,
/// constraint or method body mentions) and in the sources (namespaces named in using directives or
/// qualified names). The command-line tool is a separate assembly on top, so it cannot be reached.
/// </summary>
public partial class LayeringTests
{
    // Lowest first. The root namespace "Nabla" holds only what every layer shares (NablaException, Printable); Nabla.Nn.Losses is part of Nabla.Nn.
    private static readonly string[] Layers =
        ["Nabla", "Nabla.Kernels", "Nabla.Tensors", "Nabla.Data", "Nabla.Autograd", "Nabla.Nn", "Nabla.Optim", "Nabla.Training", "Nabla.IO"];

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static int LayerOf(string? ns)
    {
        if (ns is null) return -1;
        for (int i = Layers.Length - 1; i >= 1; i--)
            if (ns == Layers[i] || ns.StartsWith(Layers[i] + ".", StringComparison.Ordinal)) return i;
        return ns == "Nabla" ? 0 : -1;
    }

    [Fact]
    public void The_layer_order_is_the_one_docs_design_md_shows()
    {
        var design = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "design.md"));
        var line = design.Split('\n').First(l => l.StartsWith("Nabla (NablaException) →", StringComparison.Ordinal));
        var documented = line.Split('→').Select(part => part.Trim().Split(' ')[0]).Where(name => name != "Cli")
            .Select(name => name == "Nabla" ? name : "Nabla." + name);
        Assert.Equal(Layers, documented);
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
            foreach (var (used, where) in Mentioned(type))
            {
                if (used.Assembly != assembly) continue;
                int other = LayerOf(used.Namespace);
                if (other > own) violations.Add($"{type.FullName} ({Layers[own]}) uses {used.FullName} ({Layers[other]}) in {where}");
            }
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations.Distinct()));
    }

    [Fact]
    public void Mentioned_types_include_generic_arguments_array_elements_constraints_and_method_bodies()
    {
        // The lambda's body lives in a compiler-generated nested type, scanned like any other type.
        var seen = typeof(Probe<>).GetNestedTypes(Declared).Append(typeof(Probe<>)).SelectMany(Mentioned).Select(m => m.Type).ToHashSet();
        Assert.Contains(typeof(Batch), seen);          // List<Batch> field
        Assert.Contains(typeof(DataLoader), seen);     // Func<DataLoader> parameter
        Assert.Contains(typeof(IDataset), seen);       // generic constraint
        Assert.Contains(typeof(Dataset), seen);        // Dataset[][] return type
        Assert.Contains(typeof(Standardizer), seen);   // only inside a method body
        Assert.Contains(typeof(Splits), seen);         // only a static call inside a lambda's body
    }

    [Fact]
    public void No_source_file_names_a_higher_layers_namespace()
    {
        var root = Path.Combine(RepoRoot(), "src", "Nabla");
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
            // Comments may mention other layers (docs say where operations live); code may not —
            // using directives (plain, static, global or aliases) and fully qualified names alike.
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

    [Fact]
    public void Library_strings_name_no_command_line_flag_and_only_real_data_options()
    {
        // The CLI's vocabulary stays in src/Nabla.Cli: the library names its own concepts
        // (DataOptions.Limit, validationSplit), and the tool rewords them with its flags.
        var root = Path.Combine(RepoRoot(), "src", "Nabla");
        var options = typeof(DataOptions).GetProperties().Select(p => p.Name).ToHashSet();
        var violations = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
            var text = LineComment().Replace(File.ReadAllText(file), "");
            foreach (Match literal in StringLiteral().Matches(text))
            {
                if (Flag().Match(literal.Value) is { Success: true } flag)
                    violations.Add($"{Path.GetRelativePath(root, file)}: {literal.Value} names the flag {flag.Value}…");
                foreach (Match option in DataOptionName().Matches(literal.Value))
                    if (!options.Contains(option.Groups[1].Value))
                        violations.Add($"{Path.GetRelativePath(root, file)}: {literal.Value} names {option.Value}, which is not a DataOptions property");
            }
        }
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    /// <summary>Every type <paramref name="type"/> mentions, with where: members' signatures, constraints and method bodies.</summary>
    private static IEnumerable<(Type Type, string Where)> Mentioned(Type type)
    {
        var direct = new List<(Type, string)>();
        if (type.BaseType is { } b) direct.Add((b, "base type"));
        foreach (var i in type.GetInterfaces()) direct.Add((i, "interface"));
        foreach (var g in type.GetGenericArguments())
            if (g.IsGenericParameter) foreach (var c in g.GetGenericParameterConstraints()) direct.Add((c, $"constraint on {g.Name}"));
        foreach (var f in type.GetFields(Declared)) direct.Add((f.FieldType, $"field {f.Name}"));
        foreach (var p in type.GetProperties(Declared)) direct.Add((p.PropertyType, $"property {p.Name}"));
        foreach (var e in type.GetEvents(Declared)) if (e.EventHandlerType is { } h) direct.Add((h, $"event {e.Name}"));
        foreach (var m in type.GetMethods(Declared))
        {
            direct.Add((m.ReturnType, $"{m.Name} (return type)"));
            foreach (var g in m.GetGenericArguments()) foreach (var c in g.GetGenericParameterConstraints()) direct.Add((c, $"{m.Name} (constraint)"));
            AddMethod(m, direct);
        }
        foreach (var c in type.GetConstructors(Declared)) AddMethod(c, direct);
        foreach (var (t, where) in direct)
            foreach (var part in Parts(t)) yield return (part, where);
    }

    private static void AddMethod(MethodBase m, List<(Type, string)> into)
    {
        foreach (var p in m.GetParameters()) into.Add((p.ParameterType, $"{m.Name} (parameter {p.Name})"));
        foreach (var t in IlReferences.Of(m)) into.Add((t, $"{m.Name} (body)"));
    }

    /// <summary>A type and every type it is built from: generic arguments, array/pointer/by-ref elements, function-pointer signatures.</summary>
    private static IEnumerable<Type> Parts(Type t)
    {
        yield return t;
        if (t.HasElementType && t.GetElementType() is { } element)
            foreach (var e in Parts(element)) yield return e;
        if (t.IsGenericType && !t.IsGenericTypeDefinition)
            foreach (var arg in t.GetGenericArguments())
                foreach (var a in Parts(arg)) yield return a;
        if (t.IsFunctionPointer)
            foreach (var s in t.GetFunctionPointerParameterTypes().Append(t.GetFunctionPointerReturnType()))
                foreach (var p in Parts(s)) yield return p;
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Nabla.slnx) above " + AppContext.BaseDirectory);
    }

    // Mentions data types only in the ways a signature-only check used to miss.
    private sealed class Probe<T> where T : IDataset
    {
        public List<Batch> Batches = [];

        public static Dataset[][] Make(Func<DataLoader> loader) => [];

        public int Count() => Standardizer.Fit(Tensor.Zeros(2, 2)).Mean.Numel + Batches.Count;

        public Func<int> Later() => () => Splits.TrainTestIndices(4, 0.5, new Rng(0)).Train.Length;
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDecl();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\bNabla(\.[A-Z]\w*)+")]
    private static partial Regex NablaName();

    [GeneratedRegex(@"""(?:[^""\\\r\n]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"(?<![\w-])--[a-z]")]
    private static partial Regex Flag();

    [GeneratedRegex(@"\bDataOptions\.(\w+)")]
    private static partial Regex DataOptionName();
}
