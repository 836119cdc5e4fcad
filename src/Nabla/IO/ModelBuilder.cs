using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// Builds a <see cref="Sequential"/> from a model SPEC. Layers are added one at a time and each
/// is built with the shape the layers before it produce, so sizes never have to be repeated:
/// <c>dense(128,relu) dense(10)</c> on 64 inputs becomes Dense(64 → 128), ReLU, Dense(128 → 10) —
/// the same modules, in the same order, as the PyTorch <c>nn.Sequential</c> twin.
/// </summary>
public static class ModelBuilder
{
    private delegate Module Factory(LayerSpec spec, Shape input, Rng rng);

    private static readonly Dictionary<string, Factory> Factories = new(StringComparer.Ordinal)
    {
        ["dense"] = Dense,
        ["linear"] = Dense,
        ["dropout"] = (s, _, rng) => new Dropout(Probability(s), rng.Fork()),
        ["batchnorm"] = BatchNorm,
        ["bn"] = BatchNorm,
        ["conv"] = Conv2d,
        ["conv2d"] = Conv2d,
        ["conv1d"] = Conv1d,
        ["maxpool"] = (s, input, _) => new MaxPool2d(Window(s, input, 4), Stride(s), s.NamedInt("pad", s.NamedInt("padding", 0))),
        ["maxpool2d"] = (s, input, _) => new MaxPool2d(Window(s, input, 4), Stride(s), s.NamedInt("pad", s.NamedInt("padding", 0))),
        ["maxpool1d"] = (s, input, _) => new MaxPool1d(Window(s, input, 3), Stride(s), s.NamedInt("pad", s.NamedInt("padding", 0))),
        ["avgpool"] = (s, input, _) => new AvgPool2d(Window(s, input, 4), Stride(s), s.NamedInt("pad", s.NamedInt("padding", 0))),
        ["gap"] = (_, _, _) => new GlobalAveragePooling2d(),
        ["globalavgpool"] = (_, _, _) => new GlobalAveragePooling2d(),
        ["flatten"] = (_, _, _) => new Flatten(),
        ["leaky_relu"] = (s, _, _) => new LeakyReLU(s.Float(0, 0.01f, "negative slope")),
        ["elu"] = (s, _, _) => new ELU(s.Float(0, 1f, "alpha")),
        ["prelu"] = (s, _, _) => new PReLU(s.Int(0, 1, "number of slopes")),
        ["threshold"] = (s, _, _) => new Threshold(s.Float(0, null, "threshold"), s.Float(1, 0f, "value")),
    };

    /// <summary>The layer names a SPEC may use.</summary>
    public static IEnumerable<string> LayerNames =>
        Factories.Keys.Concat(Activation.Names).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

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
            catch (Exception e) when (e is ArgumentException or ShapeMismatchException or InvalidOperationException)
            {
                throw new ModelSpecException($"model spec, column {spec.Column}: {spec}: {e.Message}", e);
            }
        }
        return model;
    }

    /// <summary>The output shape of <paramref name="layer"/> for an input of <paramref name="input"/> (run on zeros, eval mode, no graph).</summary>
    public static Shape OutputShape(Module layer, Shape input)
    {
        ArgumentNullException.ThrowIfNull(layer);
        bool training = layer.IsTraining;
        layer.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = TensorScope.Begin();
            return layer.Forward(Tensor.Zeros(input)).Shape;
        }
        finally
        {
            layer.Train(training);
        }
    }

    private static Module Create(LayerSpec spec, Shape input, Rng rng)
    {
        if (Factories.TryGetValue(spec.Name, out var factory)) return factory(spec, input, rng);
        if (Activation.Names.Contains(spec.Name, StringComparer.Ordinal))
        {
            if (spec.Positional.Count > 0 || spec.Named.Count > 0)
                throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} takes no arguments");
            return Activation.Create(spec.Name);
        }
        throw new ModelSpecException($"model spec, column {spec.Column}: unknown layer '{spec.Name}' (known: {string.Join(", ", LayerNames)})");
    }

    private static Module Dense(LayerSpec spec, Shape input, Rng rng)
    {
        int units = spec.Int(0, null, "a number of units");
        if (units < 1) throw new ModelSpecException($"model spec, column {spec.Column}: dense needs at least 1 unit, got {units}");
        if (spec.Positional.Count > 2) throw new ModelSpecException($"model spec, column {spec.Column}: dense takes (units[, activation])");
        if (input.Rank < 2) throw new ModelSpecException($"model spec, column {spec.Column}: dense needs inputs [batch, features], got {input}");
        if (PostActivation(spec) is { } activation) Activation.Create(activation); // unknown names fail here, before any weights are drawn
        return new Dense(input[-1], units, rng);
    }

    /// <summary>conv(filters, kernel[, activation], stride=, pad=, dilation=, bias=) on [N, C, H, W].</summary>
    private static Module Conv2d(LayerSpec spec, Shape input, Rng rng)
    {
        if (input.Rank != 4) throw new ModelSpecException($"model spec, column {spec.Column}: conv needs images [batch, channels, height, width], got {input}");
        var (filters, kernel) = FiltersAndKernel(spec);
        return new Conv2d(input[1], filters, kernel, rng, spec.NamedInt("stride", 1), spec.NamedInt("pad", spec.NamedInt("padding", 0)),
            spec.NamedInt("dilation", 1), Bias(spec));
    }

    /// <summary>conv1d(filters, kernel[, activation], stride=, pad=, dilation=, bias=) on [N, C, L].</summary>
    private static Module Conv1d(LayerSpec spec, Shape input, Rng rng)
    {
        if (input.Rank != 3) throw new ModelSpecException($"model spec, column {spec.Column}: conv1d needs sequences [batch, channels, length], got {input}");
        var (filters, kernel) = FiltersAndKernel(spec);
        return new Conv1d(input[1], filters, kernel, rng, spec.NamedInt("stride", 1), spec.NamedInt("pad", spec.NamedInt("padding", 0)),
            spec.NamedInt("dilation", 1), Bias(spec));
    }

    private static (int Filters, int Kernel) FiltersAndKernel(LayerSpec spec)
    {
        int filters = spec.Int(0, null, "a number of filters"), kernel = spec.Int(1, null, "a kernel size");
        if (filters < 1 || kernel < 1)
            throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} needs filters ≥ 1 and kernel ≥ 1, got {filters} and {kernel}");
        if (spec.Positional.Count > 3) throw new ModelSpecException($"model spec, column {spec.Column}: {spec.Name} takes (filters, kernel[, activation])");
        return (filters, kernel);
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
        return spec.Positional.Count > at ? spec.Positional[at] : spec.Named.GetValueOrDefault("activation");
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
