using System.Globalization;
using System.Text;

namespace Nabla.IO;

/// <summary>One layer of a spec: its name, positional and named arguments, and where it starts.</summary>
/// <param name="Name">Lower-case layer name, e.g. <c>dense</c>.</param>
/// <param name="Positional">Arguments without a name, in order.</param>
/// <param name="Named">Arguments written <c>key=value</c>.</param>
/// <param name="Column">1-based column of the layer name in the spec.</param>
public sealed record LayerSpec(string Name, IReadOnlyList<string> Positional, IReadOnlyDictionary<string, string> Named, int Column)
{
    /// <summary>The spec text for this layer, e.g. <c>dense(128,relu)</c> (round-trips through <see cref="ModelSpec.Parse"/>).</summary>
    public override string ToString()
    {
        if (Positional.Count == 0 && Named.Count == 0) return Name;
        var args = Positional.Concat(Named.Select(kv => $"{kv.Key}={kv.Value}"));
        return $"{Name}({string.Join(",", args)})";
    }

    /// <summary>Positional argument <paramref name="index"/> as an integer, or <paramref name="fallback"/> when absent.</summary>
    public int Int(int index, int? fallback = null, string? what = null) =>
        index < Positional.Count ? ParseInt(Positional[index], what ?? $"argument {index + 1}")
        : fallback ?? throw new ModelSpecException($"model spec, column {Column}: {Name} needs {what ?? $"argument {index + 1}"}");

    /// <summary>Named argument <paramref name="key"/> as an integer, or <paramref name="fallback"/>.</summary>
    public int NamedInt(string key, int fallback) => Named.TryGetValue(key, out var v) ? ParseInt(v, key) : fallback;

    /// <summary>Named argument <paramref name="key"/> as a finite number, or <paramref name="fallback"/>.</summary>
    public float NamedFloat(string key, float fallback)
    {
        if (!Named.TryGetValue(key, out var text)) return fallback;
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) || !float.IsFinite(f))
            throw new ModelSpecException($"model spec, column {Column}: {Name}: {key}= {Printable.Quote(text)} is not a number");
        return f;
    }

    /// <summary>Positional argument <paramref name="index"/> as a number, or <paramref name="fallback"/> when absent.</summary>
    public float Float(int index, float? fallback = null, string? what = null)
    {
        if (index >= Positional.Count)
            return fallback ?? throw new ModelSpecException($"model spec, column {Column}: {Name} needs {what ?? $"argument {index + 1}"}");
        if (!float.TryParse(Positional[index], NumberStyles.Float, CultureInfo.InvariantCulture, out float f) || !float.IsFinite(f))
            throw new ModelSpecException($"model spec, column {Column}: {Name}: {what ?? $"argument {index + 1}"} {Printable.Quote(Positional[index])} is not a number");
        return f;
    }

    private int ParseInt(string text, string what)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new ModelSpecException($"model spec, column {Column}: {Name}: {what} {Printable.Quote(text)} is not a whole number");
        return v;
    }
}

/// <summary>
/// Parses compact model descriptions such as
/// <c>dense(256,relu) dropout(0.2) dense(128,relu) dense(10)</c> or
/// <c>conv(32,5,pad=2,relu) maxpool(2) flatten dense(10)</c>: layers separated by spaces, each a
/// name with optional parenthesised, comma-separated arguments (positional or <c>key=value</c>).
/// </summary>
public static class ModelSpec
{
    /// <summary>Splits a spec into layers.</summary>
    /// <exception cref="ModelSpecException">Unbalanced parentheses, an empty argument, a bad name; names the column.</exception>
    public static IReadOnlyList<LayerSpec> Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var layers = new List<LayerSpec>();
        int i = 0;
        while (true)
        {
            while (i < spec.Length && (char.IsWhiteSpace(spec[i]) || spec[i] == ',')) i++;
            if (i >= spec.Length) break;
            int start = i;
            while (i < spec.Length && (char.IsLetterOrDigit(spec[i]) || spec[i] == '_' || spec[i] == '-')) i++;
            if (i == start)
                throw new ModelSpecException($"model spec, column {start + 1}: expected a layer name, found {Printable.Quote(spec[start].ToString())}");
            string name = spec[start..i].ToLowerInvariant();
            var positional = new List<string>();
            var named = new Dictionary<string, string>(StringComparer.Ordinal);
            if (i < spec.Length && spec[i] == '(')
            {
                int close = spec.IndexOf(')', i);
                if (close < 0) throw new ModelSpecException($"model spec, column {i + 1}: '(' of {name} is never closed");
                ParseArguments(spec, i + 1, close, name, positional, named);
                i = close + 1;
            }
            if (i < spec.Length && !char.IsWhiteSpace(spec[i]) && spec[i] != ',')
                throw new ModelSpecException($"model spec, column {i + 1}: unexpected {Printable.Quote(spec[i].ToString())} after {name}");
            layers.Add(new LayerSpec(name, positional, named, start + 1));
        }
        if (layers.Count == 0) throw new ModelSpecException("model spec is empty");
        return layers;
    }

    /// <summary>The canonical text of a list of layers (what model files store).</summary>
    public static string Format(IEnumerable<LayerSpec> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var sb = new StringBuilder();
        foreach (var l in layers)
        {
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(l);
        }
        return sb.ToString();
    }

    private static void ParseArguments(string spec, int from, int to, string layer, List<string> positional, Dictionary<string, string> named)
    {
        int argStart = from;
        for (int j = from; j <= to; j++)
        {
            if (j < to && spec[j] != ',') continue;
            string arg = spec[argStart..j].Trim();
            if (arg.Length == 0)
            {
                if (j == to && argStart == from) return; // "name()"
                throw new ModelSpecException($"model spec, column {argStart + 1}: empty argument in {layer}(…)");
            }
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                string key = arg[..eq].Trim().ToLowerInvariant(), value = arg[(eq + 1)..].Trim();
                if (key.Length == 0 || value.Length == 0)
                    throw new ModelSpecException($"model spec, column {argStart + 1}: malformed argument {Printable.Quote(arg)} in {layer}(…)");
                if (!named.TryAdd(key, value))
                    throw new ModelSpecException($"model spec, column {argStart + 1}: argument {Printable.Quote(key)} repeated in {layer}(…)");
            }
            else positional.Add(arg);
            argStart = j + 1;
        }
    }
}
