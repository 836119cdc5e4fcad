using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Cli;

/// <summary>
/// Transfer learning in <c>nabla train --from MODEL --drop-last K [--freeze]</c>: the trained model's
/// layers but the last K (the base, with its weights), followed by the <c>--model</c> layers and the
/// output layer for the new data's task, new and randomly initialized. The base keeps the input
/// preprocessing it was trained with (standardization statistics, pixel scale), since its first
/// layer's weights expect inputs prepared that way. The combined SPEC is the base's layers written one
/// module each (<c>dense(128,relu)</c> becomes <c>dense(128) relu</c>) followed by the new ones, so the
/// saved file rebuilds the same modules with the same state-dict names.
/// </summary>
internal sealed class TransferBase
{
    private TransferBase(string file, ModelInfo info, Sequential kept, IReadOnlyList<LayerSpec> layers)
    {
        File = file;
        Info = info;
        Kept = kept;
        Layers = layers;
    }

    /// <summary>The <c>--from</c> file.</summary>
    public string File { get; }

    /// <summary>What the <c>--from</c> file stores besides the weights.</summary>
    public ModelInfo Info { get; }

    /// <summary>The kept layers, with their trained weights.</summary>
    public Sequential Kept { get; }

    /// <summary>The kept layers' SPEC, one layer per module.</summary>
    public IReadOnlyList<LayerSpec> Layers { get; }

    /// <summary>True when the base takes images as [N, C, H, W] (a convolutional model).</summary>
    public bool ImagesAsChannels => Info.InputShape.Length > 2;

    /// <summary>Loads <paramref name="file"/> and drops its last <paramref name="dropLast"/> layers.</summary>
    /// <exception cref="UsageException">Nothing would be left, a text model, or an architecture that cannot be split per layer.</exception>
    public static TransferBase Load(string file, int dropLast)
    {
        var (model, info) = NablaCommand.LoadModel(file);
        if (info.Vectorizer is not null)
            throw new UsageException($"--from {file}: a model of text; transfer learning takes image and tabular models");
        if (dropLast >= model.Count)
            throw new UsageException($"--drop-last {dropLast} would drop every layer of {file}, which has {model.Count} ({info.Architecture}); the largest is {model.Count - 1}");
        var layers = OnePerModule(ModelSpec.Parse(info.Architecture));
        if (layers.Count != model.Count)
            throw new UsageException($"--from {file}: its SPEC {info.Architecture} does not map one layer to one module ({layers.Count} layers, {model.Count} modules), so it cannot be cut");
        return new TransferBase(file, info, model[..^dropLast], layers.Take(model.Count - dropLast).ToList());
    }

    /// <summary>Refuses data the base cannot read, naming both shapes.</summary>
    /// <exception cref="UsageException">Text data, or inputs of another shape than the base was trained on.</exception>
    public void Check(LoadedData data)
    {
        if (data.Vectorizer is not null) throw new UsageException($"--from {File} reads {Shape(Info.InputShape[1..])} inputs, {data.Name} is text data");
        int[] expected = Info.InputShape[1..];
        if (!expected.SequenceEqual(data.SampleShape))
            throw new UsageException($"--from {File} takes inputs of shape {Shape(expected)} ({Info.Architecture}), but {data.Name} has samples of shape {Shape(data.SampleShape)}");
    }

    /// <summary>
    /// The full SPEC: the base, then <paramref name="extra"/> (the <c>--model</c> layers, or null), then the output
    /// layer for <paramref name="outputs"/> outputs as <see cref="ModelPlan.Complete"/> adds it.
    /// </summary>
    public string Spec(string? extra, int outputs)
    {
        var layers = Layers.Concat(extra is null ? Enumerable.Empty<LayerSpec>() : ModelSpec.Parse(extra));
        return ModelPlan.Complete(ModelSpec.Format(layers), outputs, dropout: 0);
    }

    /// <summary>The model of <paramref name="spec"/> (from <see cref="Spec"/>): the base's modules, then new layers drawn from <paramref name="rng"/>.</summary>
    /// <exception cref="ModelSpecException">A new layer does not fit what the base puts out.</exception>
    public Sequential Build(string spec, Rng rng)
    {
        var added = ModelSpec.Parse(spec).Skip(Layers.Count).ToList();
        var baseOutput = ModelBuilder.OutputShape(Kept, new Shape(Info.InputShape));
        var head = added.Count == 0 ? new Sequential() : ModelBuilder.Build(added, baseOutput, rng);
        var model = new Sequential([.. Kept, .. head]);
        return model;
    }

    /// <summary>
    /// Freezes the base (with <paramref name="freeze"/>), refusing a model left with nothing to train, and returns
    /// the optimizer's parameter groups: null (one group), or the base at <paramref name="baseLrScale"/> × the rate.
    /// </summary>
    /// <exception cref="UsageException">Every parameter would be frozen.</exception>
    public ParameterGroup[]? Prepare(Sequential model, bool freeze, float? baseLrScale, float lr, bool decayWeightsOnly)
    {
        if (freeze)
        {
            Kept.Freeze();
            if (!model.Parameters().Any(p => p.RequiresGrad))
                throw new UsageException($"--freeze fixes every layer with parameters (the layers kept from {File} and no new ones with parameters after them): nothing to train; drop the old head with --drop-last or add layers with --model");
        }
        return Groups(model, Kept, baseLrScale, lr, decayWeightsOnly);
    }

    /// <summary>
    /// For <c>--resume</c> of a model made with <c>--from</c>: its first <c>base_layers</c> layers frozen again (if they
    /// were) and the optimizer's groups as the first run had them, so the optimizer state restores into the same groups.
    /// </summary>
    /// <exception cref="ModelFileException">A stored setting is malformed.</exception>
    public static ParameterGroup[]? Resume(Sequential model, string file, ModelInfo info, float lr, bool decayWeightsOnly)
    {
        var stored = new TrainingSettings.Stored(file, info.Extra);
        if (stored.Number("base_layers", int.Parse) is not int layers) return null;
        if (layers < 0 || layers > model.Count)
            throw new ModelFileException($"{file}: the stored training setting base_layers = {layers} is not a layer count of its {model.Count} layers");
        var kept = model[..layers];
        if (stored.Text("freeze") == "true") kept.Freeze();
        return Groups(model, kept, stored.Number("base_lr_scale", float.Parse), lr, decayWeightsOnly);
    }

    private static ParameterGroup[]? Groups(Sequential model, Sequential kept, float? baseLrScale, float lr, bool decayWeightsOnly)
    {
        if (baseLrScale is not float scale) return null;
        var inBase = kept.Parameters().ToHashSet();
        var all = model.NamedParameters().ToArray();
        var groups = new List<ParameterGroup>();
        foreach (bool isBase in new[] { true, false })
        {
            var part = all.Where(p => inBase.Contains(p.Tensor) == isBase).ToArray();
            float? rate = isBase ? lr * scale : null;
            // As without groups, --weight-decay spares biases and normalization parameters.
            if (!decayWeightsOnly) groups.Add(new ParameterGroup(part.Select(p => p.Tensor), lr: rate));
            else
            {
                groups.Add(new ParameterGroup(part.Where(p => p.Role == ParameterRole.Weight).Select(p => p.Tensor), lr: rate));
                groups.Add(new ParameterGroup(part.Where(p => p.Role != ParameterRole.Weight).Select(p => p.Tensor), lr: rate, weightDecay: 0f));
            }
        }
        return [.. groups];
    }

    /// <summary>The run's model description with the base's input preprocessing.</summary>
    public ModelInfo Adopt(ModelInfo info) => info with { InputMean = Info.InputMean, InputStd = Info.InputStd, InputScale = Info.InputScale };

    /// <summary>
    /// The layers of a SPEC one module each: an activation written as an argument of a dense or conv layer
    /// (which <see cref="ModelBuilder"/> adds as a module of its own) becomes a layer of its own.
    /// </summary>
    public static List<LayerSpec> OnePerModule(IEnumerable<LayerSpec> layers)
    {
        var result = new List<LayerSpec>();
        foreach (var l in layers)
        {
            int at = l.Name switch
            {
                "dense" or "linear" => 1,
                "conv" or "conv2d" or "conv1d" => 2,
                _ => -1,
            };
            string? activation = at < 0 ? null : l.Positional.Count > at ? l.Positional[at] : l.Named.GetValueOrDefault("activation");
            if (activation is null)
            {
                result.Add(l);
                continue;
            }
            var named = l.Named.Where(kv => kv.Key != "activation").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            result.Add(l with { Positional = [.. l.Positional.Take(at)], Named = named });
            string name = activation.Trim().ToLowerInvariant();
            if (name is not ("linear" or "identity")) result.Add(new LayerSpec(name, [], new Dictionary<string, string>(), l.Column));
        }
        return result;
    }

    private static string Shape(int[] shape) => $"[{string.Join(", ", shape)}]";
}
