using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// Builds a <see cref="Sequential"/> from a model SPEC. Layers are added one at a time and each
/// is built with the shape the layers before it produce, so sizes never have to be repeated:
/// <c>dense(128,relu) dense(10)</c> on 64 inputs becomes Dense(64 → 128), ReLU, Dense(128 → 10) —
/// the same modules, in the same order, as the PyTorch <c>nn.Sequential</c> twin.
/// </summary>
public static partial class ModelBuilder
{
    private delegate Module Factory(LayerSpec spec, Shape input, Rng rng);

    /// <summary>How a layer kind is built and which arguments it takes (anything else is refused).</summary>
    /// <param name="Create">Builds the layer for its input shape.</param>
    /// <param name="Positional">The positional arguments in order, optional ones in brackets (for messages).</param>
    /// <param name="Named">The <c>key=value</c> arguments it reads.</param>
    private sealed record LayerKind(Factory Create, string[] Positional, string[] Named)
    {
        public string Usage(string name) =>
            $"{name}({string.Join(", ", Positional)}{(Named.Length > 0 ? (Positional.Length > 0 ? ", " : "") + string.Join(", ", Named.Select(n => n + "=")) : "")})";
    }

    private static readonly string[] ConvNamed = ["activation", "stride", "pad", "padding", "dilation", "bias"];
    private static readonly string[] PoolNamed = ["stride", "pad", "padding"];

    private static readonly Dictionary<string, LayerKind> Kinds = new(StringComparer.Ordinal)
    {
        ["dense"] = new(Dense, ["units", "[activation]"], ["activation"]),
        ["linear"] = new(Dense, ["units", "[activation]"], ["activation"]),
        ["dropout"] = new((s, _, rng) => new Dropout(Probability(s), rng.Fork()), ["p"], []),
        ["batchnorm"] = new(BatchNorm, [], []),
        ["bn"] = new(BatchNorm, [], []),
        ["conv"] = new(Conv2d, ["filters", "kernel", "[activation]"], ConvNamed),
        ["conv2d"] = new(Conv2d, ["filters", "kernel", "[activation]"], ConvNamed),
        ["conv1d"] = new(Conv1d, ["filters", "kernel", "[activation]"], ConvNamed),
        ["maxpool"] = new((s, input, _) => new MaxPool2d(Window(s, input, 4), Stride(s), Padding(s)), ["window", "[stride]"], PoolNamed),
        ["maxpool2d"] = new((s, input, _) => new MaxPool2d(Window(s, input, 4), Stride(s), Padding(s)), ["window", "[stride]"], PoolNamed),
        ["maxpool1d"] = new((s, input, _) => new MaxPool1d(Window(s, input, 3), Stride(s), Padding(s)), ["window", "[stride]"], PoolNamed),
        ["avgpool"] = new((s, input, _) => new AvgPool2d(Window(s, input, 4), Stride(s), Padding(s)), ["window", "[stride]"], PoolNamed),
        ["gap"] = new((_, _, _) => new GlobalAveragePooling2D(), [], []),
        ["globalavgpool"] = new((_, _, _) => new GlobalAveragePooling2D(), [], []),
        ["flatten"] = new((_, _, _) => new Flatten(), [], []),
        ["embedding"] = new(Embedding, ["dim"], ["vocab", "std"]),
        ["gap1d"] = new((s, input, _) => Sequence(s, input, new GlobalAveragePooling1D()), [], []),
        ["gmp1d"] = new((s, input, _) => Sequence(s, input, new GlobalMaxPooling1D()), [], []),
        ["leaky_relu"] = new((s, _, _) => new LeakyReLU(s.Float(0, 0.01f, "negative slope")), ["[negative_slope]"], []),
        ["elu"] = new((s, _, _) => new ELU(s.Float(0, 1f, "alpha")), ["[alpha]"], []),
        ["prelu"] = new((s, _, _) => new PReLU(s.Int(0, 1, "number of slopes")), ["[slopes]"], []),
        ["threshold"] = new((s, _, _) => new Threshold(s.Float(0, null, "threshold"), s.Float(1, 0f, "value")), ["threshold", "[value]"], []),
    };

    /// <summary>
    /// How each layer kind with arguments is written, aliases joined by <c>|</c> and optional arguments in
    /// brackets, e.g. <c>dense|linear(units, [activation], activation=)</c> (for help texts).
    /// </summary>
    public static IEnumerable<string> LayerUsages =>
        Kinds.Concat(SequenceKinds).GroupBy(kv => kv.Value.Positional.Length + kv.Value.Named.Length == 0 ? kv.Key : kv.Value.Usage("_"), kv => kv.Key, StringComparer.Ordinal)
            .Select(g => string.Join("|", g) + (g.Key.StartsWith("_(", StringComparison.Ordinal) ? g.Key[1..] : ""));

    /// <summary>The layer names a SPEC may use.</summary>
    public static IEnumerable<string> LayerNames =>
        Kinds.Keys.Concat(SequenceKinds.Keys).Concat(Activation.Names).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>
    /// Builds the layers of <paramref name="layers"/> for inputs of shape <paramref name="inputShape"/>
    /// (batch axis included, e.g. [1, 784]), drawing initial weights from <paramref name="rng"/>.
    /// </summary>
    /// <exception cref="ModelSpecException">An unknown layer, a bad argument, or a layer that does not fit its input; names the column.</exception>
    public static Sequential Build(IReadOnlyList<LayerSpec> layers, Shape inputShape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(rng);
        var model = new Sequential();
        var shape = inputShape;
        foreach (var spec in layers)
        {
            Module layer;
            try
            {
                layer = Create(spec, shape, rng);
                if (layer is ILazyModule lazy) lazy.Build(shape, rng);
                shape = OutputShape(layer, shape);
                model.Add(layer);
                // dense(128,relu), conv(32,5,relu): the activation follows as its own layer, as in
                // PyTorch's Sequential(Linear, ReLU), so state-dict names match the PyTorch twin.
                if (PostActivation(spec) is { } activation && activation is not ("linear" or "identity"))
                    model.Add(Activation.Create(activation));
            }
            catch (Exception e) when (e is ArgumentException or ShapeMismatchException or InvalidOperationException or OverflowException)
            {
                throw new ModelSpecException($"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())}: {Printable.MessageOf(e)}", e);
            }
            catch (OutOfMemoryException e)
            {
                // One large allocation failed and nothing was half-built: a user's request that is too big, not a crash.
                throw new ModelSpecException($"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())} on inputs {shape} needs more memory than is available", e);
            }
        }
        return model;
    }

    /// <summary>
    /// The output shape of <paramref name="layer"/> for an input of <paramref name="input"/> (run on zeros, eval mode, no
    /// autodiff graph); a <see cref="GraphModule"/> runs on a graph of input[0] nodes without edges.
    /// </summary>
    public static Shape OutputShape(Module layer, Shape input)
    {
        ArgumentNullException.ThrowIfNull(layer);
        bool training = layer.IsTraining;
        layer.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = TensorScope.Begin();
            return layer is GraphModule graphLayer
                ? graphLayer.Forward(Tensor.Zeros(input), Graph.Empty(input[0])).Shape
                : layer.Forward(Tensor.Zeros(input)).Shape;
        }
        finally
        {
            layer.Train(training);
        }
    }

    private static Module Create(LayerSpec spec, Shape input, Rng rng)
    {
        if (Kinds.TryGetValue(spec.Name, out var kind) || SequenceKinds.TryGetValue(spec.Name, out kind))
        {
            CheckArguments(spec, kind);
            return kind.Create(spec, input, rng);
        }
        if (Activation.Names.Contains(spec.Name, StringComparer.Ordinal))
        {
            if (spec.Positional.Count > 0 || spec.Named.Count > 0)
                throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} takes no arguments");
            return Activation.Create(spec.Name);
        }
        throw new ModelSpecException(
            $"model spec, column {spec.Column}: unknown layer {Printable.Quote(spec.Name)} (known: {string.Join(", ", LayerNames)}){DidYouMean.Hint(spec.Name, LayerNames)}");
    }

    /// <summary>Refuses arguments the layer does not read, so a typo never silently falls back to a default.</summary>
    private static void CheckArguments(LayerSpec spec, LayerKind kind)
    {
        string where = $"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())}";
        if (spec.Positional.Count > kind.Positional.Length)
            throw new ModelSpecException(kind.Positional.Length == 0
                ? $"{where}: {spec.Name} takes no positional arguments{(kind.Named.Length > 0 ? $" (usage: {kind.Usage(spec.Name)})" : "")}"
                : $"{where}: {spec.Name} takes at most {kind.Positional.Length} positional argument{(kind.Positional.Length == 1 ? "" : "s")}, got {spec.Positional.Count} (usage: {kind.Usage(spec.Name)})");
        foreach (var key in spec.Named.Keys)
            if (!kind.Named.Contains(key, StringComparer.Ordinal))
                throw new ModelSpecException(kind.Named.Length == 0
                    ? $"{where}: unknown argument {Printable.Quote(key + "=")}: {spec.Name} takes no named arguments (usage: {kind.Usage(spec.Name)})"
                    : $"{where}: unknown argument {Printable.Quote(key + "=")} (known: {string.Join(", ", kind.Named.Select(n => n + "="))}){DidYouMean.Hint(key, kind.Named)}");
        if (spec.Named.ContainsKey("pad") && spec.Named.ContainsKey("padding"))
            throw new ModelSpecException($"{where}: pad= and padding= are the same argument; give one");
        if (kind.Positional.Contains("[activation]") && spec.Named.ContainsKey("activation") && spec.Positional.Count == kind.Positional.Length)
            throw new ModelSpecException($"{where}: the activation is given twice (positionally and as activation=)");
        if (spec.Named.TryGetValue("bias", out var bias) && bias is not ("true" or "false" or "1" or "0" or "yes" or "no"))
            throw new ModelSpecException($"{where}: bias= takes true or false, got {Printable.Quote(bias)}");
    }

    private static Module Dense(LayerSpec spec, Shape input, Rng rng)
    {
        int units = spec.Int(0, null, "a number of units");
        if (units < 1) throw new ModelSpecException($"model spec, column {spec.Column}: dense needs at least 1 unit, got {units}");
        if (input.Rank < 2) throw new ModelSpecException($"model spec, column {spec.Column}: dense needs inputs [batch, features], got {input}");
        CheckActivation(spec); // unknown names fail here, before any weights are drawn
        CheckSize(spec, (long)input[-1] * units, $"{input[-1]} inputs × {units} units");
        return new Dense(input[-1], units, rng);
    }

    /// <summary>conv(filters, kernel[, activation], stride=, pad=, dilation=, bias=) on [N, C, H, W].</summary>
    private static Module Conv2d(LayerSpec spec, Shape input, Rng rng)
    {
        if (input.Rank != 4) throw new ModelSpecException($"model spec, column {spec.Column}: conv needs images [batch, channels, height, width], got {input}");
        var (filters, kernel) = FiltersAndKernel(spec);
        CheckSize(spec, (long)input[1] * filters * kernel * kernel, $"{input[1]} channels × {filters} filters × {kernel}×{kernel}");
        return new Conv2d(input[1], filters, kernel, rng, spec.NamedInt("stride", 1), Padding(spec),
            spec.NamedInt("dilation", 1), Bias(spec));
    }

    /// <summary>conv1d(filters, kernel[, activation], stride=, pad=, dilation=, bias=) on [N, C, L].</summary>
    private static Module Conv1d(LayerSpec spec, Shape input, Rng rng)
    {
        if (input.Rank != 3) throw new ModelSpecException($"model spec, column {spec.Column}: conv1d needs sequences [batch, channels, length], got {input}");
        var (filters, kernel) = FiltersAndKernel(spec);
        CheckSize(spec, (long)input[1] * filters * kernel, $"{input[1]} channels × {filters} filters × {kernel}");
        return new Conv1d(input[1], filters, kernel, rng, spec.NamedInt("stride", 1), Padding(spec),
            spec.NamedInt("dilation", 1), Bias(spec));
    }

    /// <summary>Refuses a weight tensor larger than one array holds, before anything is allocated.</summary>
    private static void CheckSize(LayerSpec spec, long weights, string what)
    {
        if (weights > Array.MaxLength)
            throw new ModelSpecException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())}: {what} = {weights:N0} weights, more than one tensor holds ({Array.MaxLength:N0})"));
    }

    private static (int Filters, int Kernel) FiltersAndKernel(LayerSpec spec)
    {
        int filters = spec.Int(0, null, "a number of filters"), kernel = spec.Int(1, null, "a kernel size");
        if (filters < 1 || kernel < 1)
            throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} needs filters ≥ 1 and kernel ≥ 1, got {filters} and {kernel}");
        CheckActivation(spec);
        return (filters, kernel);
    }

    /// <summary>
    /// embedding(dim, vocab=N, std=S) on token ids [batch, length]: nn.Embedding(N, dim, padding_idx=0), as
    /// <c>TextVectorization</c> numbers tokens (0 = padding, 1 = out-of-vocabulary), initialized N(0, S²) (S = 1 when left out).
    /// </summary>
    private static Module Embedding(LayerSpec spec, Shape input, Rng rng)
    {
        int dim = spec.Int(0, null, "an embedding size");
        if (dim < 1) throw new ModelSpecException($"model spec, column {spec.Column}: embedding needs a size ≥ 1, got {dim}");
        if (!spec.Named.ContainsKey("vocab"))
            throw new ModelSpecException($"model spec, column {spec.Column}: {spec}: embedding needs vocab=N, the number of token ids (the vocabulary size of the text data)");
        int vocab = spec.NamedInt("vocab", 0);
        if (vocab < 2) throw new ModelSpecException($"model spec, column {spec.Column}: embedding needs vocab ≥ 2 (padding and out-of-vocabulary), got {vocab}");
        if (input.Rank != 2) throw new ModelSpecException($"model spec, column {spec.Column}: embedding needs token ids [batch, length], got {input}");
        float std = spec.NamedFloat("std", 1f);
        if (!(std > 0 && float.IsFinite(std))) throw new ModelSpecException($"model spec, column {spec.Column}: embedding needs std > 0 (the spread of the initial vectors), got {spec.Named["std"]}");
        return new Nn.Embedding(vocab, dim, rng, paddingIdx: 0, std: std);
    }

    private static Module Sequence(LayerSpec spec, Shape input, Module pooling) => input.Rank == 3 ? pooling
        : throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} needs sequences [batch, length, channels] (e.g. after embedding), got {input}");

    private static int Padding(LayerSpec spec) => spec.NamedInt("pad", spec.NamedInt("padding", 0));

    private static void CheckActivation(LayerSpec spec)
    {
        if (PostActivation(spec) is { } name && !Activation.Names.Contains(name, StringComparer.Ordinal))
            throw new ModelSpecException(
                $"model spec, column {spec.Column}: {Printable.Escape(spec.ToString())}: unknown activation {Printable.Quote(name)} (known: {string.Join(", ", Activation.Names)}){DidYouMean.Hint(name, Activation.Names)}");
    }

    private static bool Bias(LayerSpec spec) => !spec.Named.TryGetValue("bias", out var b) || b is not ("false" or "0" or "no");

    /// <summary>The activation written as an argument of a dense or conv layer, if any.</summary>
    private static string? PostActivation(LayerSpec spec)
    {
        int at = spec.Name switch
        {
            "dense" or "linear" => 1,
            "conv" or "conv2d" or "conv1d" => 2,
            _ => -1,
        };
        if (at < 0) return null;
        string? name = spec.Positional.Count > at ? spec.Positional[at] : spec.Named.GetValueOrDefault("activation");
        return name?.Trim().ToLowerInvariant();
    }

    private static int Window(LayerSpec spec, Shape input, int rank)
    {
        if (input.Rank != rank)
            throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} needs a {rank}-D input [batch, channels, …], got {input}");
        int k = spec.Int(0, null, "a window size");
        if (k < 1) throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} needs a window ≥ 1, got {k}");
        return k;
    }

    private static int? Stride(LayerSpec spec) =>
        spec.Positional.Count > 1 ? spec.Int(1, null, "a stride") : spec.Named.ContainsKey("stride") ? spec.NamedInt("stride", 1) : null;

    private static Module BatchNorm(LayerSpec spec, Shape input, Rng _)
    {
        int features = Features(spec, input);
        return input.Rank == 4 ? new BatchNorm2d(features) : new BatchNorm1d(features);
    }

    private static float Probability(LayerSpec spec)
    {
        float p = spec.Float(0, null, "a drop probability");
        if (p < 0 || p >= 1) throw new ModelSpecException($"model spec, column {spec.Column}: dropout probability must be in [0, 1), got {p}");
        return p;
    }

    private static int Features(LayerSpec spec, Shape input)
    {
        if (input.Rank < 2) throw new ModelSpecException($"model spec, column {spec.Column}: batchnorm needs inputs [batch, features], got {input}");
        return input[1];
    }
}
