using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.IO;

/// <summary>
/// Builds a <see cref="Sequential"/> from a model SPEC. Layers are added one at a time and each
/// is built with the shape the layers before it produce, so sizes never have to be repeated:
/// <c>dense(128,relu) dense(10)</c> on 64 inputs becomes Dense(64 → 128, ReLU), Dense(128 → 10).
/// </summary>
public static class ModelBuilder
{
    private delegate Module Factory(LayerSpec spec, Shape input, Rng rng);

    private static readonly Dictionary<string, Factory> Factories = new(StringComparer.Ordinal)
    {
        ["dense"] = Dense,
        ["linear"] = Dense,
        ["dropout"] = (s, _, rng) => new Dropout(Probability(s), rng.Fork()),
        ["batchnorm"] = (s, input, _) => new BatchNorm1d(Features(s, input)),
        ["bn"] = (s, input, _) => new BatchNorm1d(Features(s, input)),
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
            }
            catch (Exception e) when (e is ArgumentException or ShapeMismatchException or InvalidOperationException)
            {
                throw new ModelSpecException($"model spec, column {spec.Column}: {spec}: {e.Message}", e);
            }
            model.Add(layer);
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
        string? activation = spec.Positional.Count > 1 ? spec.Positional[1] : spec.Named.GetValueOrDefault("activation");
        if (spec.Positional.Count > 2) throw new ModelSpecException($"model spec, column {spec.Column}: dense takes (units[, activation])");
        if (input.Rank < 2) throw new ModelSpecException($"model spec, column {spec.Column}: dense needs inputs [batch, features], got {input}");
        return new Dense(input[-1], units, rng, activation: activation);
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
