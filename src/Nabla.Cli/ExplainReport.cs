using System.Globalization;
using System.Text.Json.Nodes;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// Formats a <see cref="StepTrace"/> the way the backpropagation lecture writes it out: units named
/// i1… (inputs), h1… (hidden; h2.1… with several hidden layers), o1… (outputs), weights numbered
/// w1, w2, … layer by layer in [out, in] order (so the lecture's w1…w8 are its own), then the forward
/// pass, E, the backward pass (δ = ∂E/∂net) and each weight's gradient and update. Every number is
/// a float32, printed to the 7 significant digits it holds.
/// </summary>
internal static class ExplainReport
{
    /// <summary>A dense layer of the printout: its affine part and the activations that follow it.</summary>
    private sealed record Block(LayerTrace? Affine, List<LayerTrace> Activations, string[] Units)
    {
        public LayerTrace Last => Activations.Count > 0 ? Activations[^1] : Affine!;
        public string Title => string.Join(", ", new[] { Affine }.Concat(Activations).Where(l => l is not null).Select(l => $"{l!.Name}: {l.Description}"));
    }

    public static void Write(TextWriter o, Explained e)
    {
        var t = e.Trace;
        var blocks = Blocks(t);
        var inputs = Names("i", t.Input.Numel);
        var weights = WeightNames(blocks, inputs);
        foreach (var line in e.Header) o.WriteLine(line);
        o.WriteLine($"every number comes from Nabla's autodiff engine (float32); {e.Loss}; plain gradient descent w⁺ = w − η·∂E/∂w, η = {Num(e.LearningRate)}");
        o.WriteLine();
        o.WriteLine("input   " + string.Join("  ", inputs.Select((n, j) => $"{n} = {Num(t.Input.ToArray()[j])}")));
        if (e.RawInput is { } raw) o.WriteLine("        (standardized as in training from " + string.Join(", ", raw.Select(Num)) + ")");
        o.WriteLine("target  " + string.Join(", ", e.Target));

        o.WriteLine();
        o.WriteLine("forward pass: net = Σ w·in + b, out = activation(net)");
        foreach (var (b, k) in blocks.Select((b, k) => (b, k)))
        {
            o.WriteLine($"  layer {k + 1} ({b.Title})");
            var rows = new List<string[]> { new[] { "unit", "net", "out" } };
            var net = b.Affine?.Output.ToArray();
            var outs = b.Last.Output.ToArray();
            for (int j = 0; j < b.Units.Length; j++)
                rows.Add([b.Units[j], net is null ? "" : Num(net[j]), b.Activations.Count > 0 || net is null ? Num(outs[j]) : "(= net)"]);
            Table(o, rows, "    ");
        }
        o.WriteLine($"  E = {Num(t.Loss)}");

        o.WriteLine();
        o.WriteLine("backward pass, last layer first: δ = ∂E/∂net = ∂E/∂out · ∂out/∂net");
        for (int k = blocks.Count - 1; k >= 0; k--)
        {
            var b = blocks[k];
            o.WriteLine($"  layer {k + 1}");
            var dOut = b.Last.OutputGradient.ToArray();
            var delta = b.Affine?.OutputGradient.ToArray();
            var rows = new List<string[]> { new[] { "unit", "∂E/∂out", "∂out/∂net", "δ" } };
            for (int j = 0; j < b.Units.Length; j++)
            {
                string local = delta is null || b.Activations.Count == 0 ? "1" : dOut[j] != 0 ? Num(delta[j] / dOut[j]) : "-";
                rows.Add([b.Units[j], Num(dOut[j]), local, delta is null ? "-" : Num(delta[j])]);
            }
            Table(o, rows, "    ");
        }

        o.WriteLine();
        o.WriteLine("gradients and updates: ∂E/∂w = δ(to) · out(from), w⁺ = w − η·∂E/∂w");
        for (int k = blocks.Count - 1; k >= 0; k--)
        {
            var b = blocks[k];
            var parameters = new[] { b.Affine }.Concat(b.Activations).Where(l => l is not null).SelectMany(l => l!.Parameters).ToList();
            if (parameters.Count == 0) continue;
            o.WriteLine($"  layer {k + 1}");
            var rows = new List<string[]> { new[] { "weight", "from → to", "w", "∂E/∂w", "w⁺", "" } };
            foreach (var p in parameters)
            {
                var (value, grad, updated) = (p.Value.ToArray(), p.Gradient.ToArray(), p.Updated.ToArray());
                for (int i = 0; i < value.Length; i++)
                {
                    var (label, link) = weights.TryGetValue((p.Name, i), out var w) ? w : ($"{p.Name}[{i}]", "");
                    rows.Add([label, link, Num(value[i]), Num(grad[i]), Num(updated[i]), p.LearningRate == 0 ? "(not updated)" : ""]);
                }
            }
            Table(o, rows, "    ");
        }
        o.WriteLine();
        o.WriteLine($"E after the update = {Num(t.LossAfter)} (before: {Num(t.Loss)})");
    }

    /// <summary>The full record as one JSON object: every layer's output and ∂E/∂output, every parameter's value, gradient and update.</summary>
    public static string Json(Explained e)
    {
        var t = e.Trace;
        var layers = new JsonArray();
        foreach (var l in t.Layers)
        {
            var parameters = new JsonArray();
            foreach (var p in l.Parameters)
                parameters.Add(new JsonObject
                {
                    ["name"] = p.Name, ["role"] = p.Role.ToString().ToLowerInvariant(), ["shape"] = Shape(p.Value.Shape), ["learning_rate"] = p.LearningRate,
                    ["value"] = Values(p.Value), ["gradient"] = Values(p.Gradient), ["updated"] = Values(p.Updated),
                });
            layers.Add(new JsonObject
            {
                ["index"] = l.Index, ["name"] = l.Name, ["description"] = l.Description, ["affine"] = l.IsAffine,
                ["shape"] = Shape(l.Output.Shape), ["output"] = Values(l.Output), ["output_gradient"] = Values(l.OutputGradient), ["parameters"] = parameters,
            });
        }
        var o = new JsonObject
        {
            ["command"] = "explain", ["source"] = e.Source, ["loss_function"] = e.Loss, ["learning_rate"] = e.LearningRate,
            ["input"] = Values(t.Input), ["raw_input"] = e.RawInput is null ? null : new JsonArray([.. e.RawInput.Select(v => Value(v))]),
            ["target"] = Values(t.Target), ["loss"] = Value(t.Loss), ["loss_after"] = Value(t.LossAfter),
            ["input_gradient"] = Values(t.InputGradient), ["layers"] = layers,
        };
        return o.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonArray Shape(Shape s) => new([.. s.ToArray().Select(d => (JsonNode)d)]);

    private static JsonArray Values(Tensor t) => new([.. t.ToArray().Select(Value)]);

    private static JsonNode? Value(float v) => float.IsFinite(v) ? JsonValue.Create(v) : null;

    // Dense layers with the activations after them; a layer that starts with an activation stands alone.
    private static List<Block> Blocks(StepTrace t)
    {
        var groups = new List<(LayerTrace? Affine, List<LayerTrace> Activations)>();
        foreach (var l in t.Layers)
        {
            if (l.IsAffine || groups.Count == 0) groups.Add((l.IsAffine ? l : null, l.IsAffine ? [] : [l]));
            else groups[^1].Activations.Add(l);
        }
        int hidden = groups.Count - 1;
        return [.. groups.Select((g, k) =>
        {
            int units = (g.Activations.Count > 0 ? g.Activations[^1] : g.Affine!).Output.Numel;
            string prefix = k == groups.Count - 1 ? "o" : hidden == 1 ? "h" : $"h{k + 1}.";
            return new Block(g.Affine, g.Activations, Names(prefix, units));
        })];
    }

    // The lecture's numbering: w1, w2, … through the weight matrices [out, in] in forward order; biases b(unit).
    private static Dictionary<(string, int), (string Label, string Link)> WeightNames(List<Block> blocks, string[] inputs)
    {
        var names = new Dictionary<(string, int), (string, string)>();
        int n = 0;
        var from = inputs;
        foreach (var b in blocks)
        {
            if (b.Affine is { } a)
                foreach (var p in a.Parameters)
                {
                    if (p.Role == Nn.ParameterRole.Weight && p.Value.Rank == 2)
                    {
                        int cols = p.Value.Shape[1];
                        for (int i = 0; i < p.Value.Numel; i++)
                            names[(p.Name, i)] = ($"w{++n}", $"{from[i % cols]} → {b.Units[i / cols]}");
                    }
                    else if (p.Role == Nn.ParameterRole.Bias)
                    {
                        for (int i = 0; i < p.Value.Numel; i++) names[(p.Name, i)] = ($"b({b.Units[i]})", $"1 → {b.Units[i]}");
                    }
                }
            from = b.Units;
        }
        return names;
    }

    private static string[] Names(string prefix, int count) => [.. Enumerable.Range(1, count).Select(j => prefix + j.ToString(CultureInfo.InvariantCulture))];

    private static void Table(TextWriter o, List<string[]> rows, string indent)
    {
        int columns = rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        foreach (var r in rows)
            o.WriteLine((indent + string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c])))).TrimEnd());
    }

    /// <summary>A float32 to the 7 significant digits it holds (0.7513651); <c>--json</c> gives the exact values.</summary>
    internal static string Num(float v) => v.ToString("G7", CultureInfo.InvariantCulture);
}
