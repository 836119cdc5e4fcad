using System.Globalization;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// The SPEC words for sequences <c>[batch, time, features]</c> (what <c>embedding(dim)</c> gives):
/// recurrent layers, positional encodings and a Transformer encoder stack.
/// </summary>
public static partial class ModelBuilder
{
    private static readonly string[] RecurrentNamed = ["layers", "dropout", "return", "bias"];
    private static readonly string[] TransformerNamed = ["heads", "layers", "ff", "dropout", "activation", "norm_first"];

    private static readonly Dictionary<string, LayerKind> SequenceKinds = new(StringComparer.Ordinal)
    {
        ["rnn"] = new((s, input, rng) => Recurrent(s, input, rng, bidirectional: false), ["hidden"], [.. RecurrentNamed, "nonlinearity"]),
        ["birnn"] = new((s, input, rng) => Recurrent(s, input, rng, bidirectional: true), ["hidden"], [.. RecurrentNamed, "nonlinearity"]),
        ["lstm"] = new((s, input, rng) => Recurrent(s, input, rng, bidirectional: false), ["hidden"], RecurrentNamed),
        ["bilstm"] = new((s, input, rng) => Recurrent(s, input, rng, bidirectional: true), ["hidden"], RecurrentNamed),
        ["gru"] = new((s, input, rng) => Recurrent(s, input, rng, bidirectional: false), ["hidden"], RecurrentNamed),
        ["bigru"] = new((s, input, rng) => Recurrent(s, input, rng, bidirectional: true), ["hidden"], RecurrentNamed),
        ["posenc"] = new(PositionalEncoding, ["[sinusoidal|learned]"], ["max"]),
        ["transformer"] = new(TransformerEncoder, [], TransformerNamed),
    };

    /// <summary>
    /// rnn|lstm|gru(hidden, layers=, dropout=, return=last|sequence, bias=) and their bi- forms on
    /// [N, T, F]: PyTorch's modules (batch first); <c>return=last</c> (default) gives h_n of the top layer
    /// [N, directions·hidden], <c>return=sequence</c> every step [N, T, directions·hidden].
    /// </summary>
    private static Module Recurrent(LayerSpec spec, Shape input, Rng rng, bool bidirectional)
    {
        string where = $"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())}";
        if (input.Rank != 3)
            throw new ModelSpecException($"{where}: {spec.Name} needs sequences [batch, time, features] (e.g. after embedding(dim)), got {input}");
        int hidden = spec.Int(0, null, "a hidden size");
        int layers = spec.NamedInt("layers", 1);
        float dropout = spec.NamedFloat("dropout", 0f);
        if (hidden < 1) throw new ModelSpecException($"{where}: the hidden size must be at least 1, got {hidden}");
        if (layers < 1) throw new ModelSpecException($"{where}: layers= must be at least 1, got {layers}");
        if (dropout < 0 || dropout >= 1) throw new ModelSpecException($"{where}: dropout= must be in [0, 1), got {dropout.ToString(CultureInfo.InvariantCulture)}");
        var returns = spec.Named.GetValueOrDefault("return", "last") switch
        {
            "last" => RecurrentReturn.Last,
            "sequence" or "sequences" => RecurrentReturn.Sequence,
            var other => throw new ModelSpecException($"{where}: return= takes last or sequence, got {Printable.Quote(other)}"),
        };
        long perGate = ((long)input[2] + hidden + 2) * hidden;
        CheckSize(spec, perGate * 4, $"({input[2]} inputs + {hidden} hidden) × 4·{hidden} gates");
        bool bias = Bias(spec);
        string kind = bidirectional ? spec.Name[2..] : spec.Name;
        return kind switch
        {
            "lstm" => new LSTM(input[2], hidden, rng, layers, bias, bidirectional, dropout, returns),
            "gru" => new GRU(input[2], hidden, rng, layers, bias, bidirectional, dropout, returns),
            _ => new RNN(input[2], hidden, rng, spec.Named.GetValueOrDefault("nonlinearity", "tanh") switch
            {
                "tanh" => "tanh",
                "relu" => "relu",
                var other => throw new ModelSpecException($"{where}: nonlinearity= takes tanh or relu, got {Printable.Quote(other)}"),
            }, layers, bias, bidirectional, dropout, returns),
        };
    }

    /// <summary>posenc([sinusoidal|learned], max=) on [N, T, E]: adds row t of a fixed (default) or learned table.</summary>
    private static Module PositionalEncoding(LayerSpec spec, Shape input, Rng rng)
    {
        string where = $"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())}";
        if (input.Rank != 3)
            throw new ModelSpecException($"{where}: posenc needs sequences [batch, time, features] (e.g. after embedding(dim)), got {input}");
        string kind = spec.Positional.Count > 0 ? spec.Positional[0] : "sinusoidal";
        int max = spec.NamedInt("max", kind == "learned" ? 512 : 5000);
        if (max < input[1])
            throw new ModelSpecException($"{where}: max={max} positions are fewer than the {input[1]} time steps of its input {input}");
        CheckSize(spec, (long)max * input[2], $"{max} positions × {input[2]} features");
        return kind switch
        {
            "sinusoidal" => new SinusoidalPositionalEncoding(input[2], max),
            "learned" => new LearnedPositionalEncoding(input[2], max, rng),
            _ => throw new ModelSpecException($"{where}: posenc takes sinusoidal or learned, got {Printable.Quote(kind)}"),
        };
    }

    /// <summary>
    /// transformer(heads=, layers=, ff=, dropout=, activation=relu|gelu, norm_first=) on [N, T, E]: PyTorch's
    /// <c>nn.TransformerEncoder</c> of <c>nn.TransformerEncoderLayer(E, heads, ff, dropout, batch_first=True)</c>;
    /// padding from the embedding's mask is hidden from attention. Defaults: 1 layer, ff = 2048, dropout 0.1, as PyTorch.
    /// </summary>
    private static Module TransformerEncoder(LayerSpec spec, Shape input, Rng rng)
    {
        string where = $"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())}";
        if (input.Rank != 3)
            throw new ModelSpecException($"{where}: transformer needs sequences [batch, time, features] (e.g. after embedding(dim)), got {input}");
        if (!spec.Named.ContainsKey("heads"))
            throw new ModelSpecException($"{where}: transformer needs heads= (the number of attention heads; it must divide the {input[2]} features)");
        int e = input[2], heads = spec.NamedInt("heads", 1), layers = spec.NamedInt("layers", 1), ff = spec.NamedInt("ff", 2048);
        float dropout = spec.NamedFloat("dropout", 0.1f);
        if (heads < 1 || e % heads != 0)
            throw new ModelSpecException($"{where}: heads={heads} does not divide the embedding size {e} of its input {input}");
        if (layers < 1) throw new ModelSpecException($"{where}: layers= must be at least 1, got {layers}");
        if (ff < 1) throw new ModelSpecException($"{where}: ff= must be at least 1, got {ff}");
        if (dropout < 0 || dropout >= 1) throw new ModelSpecException($"{where}: dropout= must be in [0, 1), got {dropout.ToString(CultureInfo.InvariantCulture)}");
        string activation = spec.Named.GetValueOrDefault("activation", "relu");
        if (activation is not ("relu" or "gelu"))
            throw new ModelSpecException($"{where}: activation= takes relu or gelu, got {Printable.Quote(activation)}");
        bool normFirst = spec.Named.GetValueOrDefault("norm_first", "false") switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            var other => throw new ModelSpecException($"{where}: norm_first= takes true or false, got {Printable.Quote(other)}"),
        };
        CheckSize(spec, 4L * e * e + 2L * e * ff, $"attention {e}×{e} and feed-forward {e}×{ff}");
        return new Nn.TransformerEncoder(_ => new TransformerEncoderLayer(e, heads, rng, ff, dropout, activation, normFirst: normFirst), layers);
    }
}
