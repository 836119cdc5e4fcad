using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Nn.Losses;

namespace Nabla.Cli;

/// <summary>
/// Completes a model SPEC for a task: inserts <c>dropout(P)</c> after every hidden dense layer when
/// <c>--dropout</c> is given, and appends the output layer <c>dense(outputs)</c> (linear: logits or
/// values) unless the spec already ends with a dense layer of that many units and no activation.
/// </summary>
internal static class ModelPlan
{
    /// <summary>The hidden layers used when no <c>--model</c> is given.</summary>
    public const string DefaultHidden = "dense(128,relu) dense(64,relu)";

    /// <summary>The help text of <c>--model</c>: the SPEC grammar, every layer kind and examples.</summary>
    public static string SpecHelp =>
        "Model SPEC: layers separated by spaces, each NAME or NAME(ARG,…,KEY=VALUE); an activation argument becomes its own layer. "
        + $"Layers: {string.Join(", ", ModelBuilder.LayerUsages)}; activations: {string.Join(", ", Activation.Names)}. "
        + "Examples: \"dense(256,relu) dropout(0.2) dense(64,gelu) batchnorm\"; \"conv(32,5,pad=2,relu) maxpool(2) conv(64,5,pad=2,relu) maxpool(2) flatten dense(128,relu)\"; \"embedding(64) gap1d dense(32,relu)\" (text: data). "
        + $"The output layer is added for the task. Default: {DefaultHidden}";

    /// <summary>
    /// The full spec text (what the model file stores). For text, <paramref name="vocabulary"/> is
    /// the number of token ids, written into each <c>embedding(dim)</c> as <c>vocab=N</c>, and
    /// <paramref name="embeddingStd"/> (when given) as <c>std=S</c> where the SPEC does not say it.
    /// </summary>
    public static string Complete(string spec, int outputs, float dropout, int? vocabulary = null, float? embeddingStd = null)
    {
        var layers = ModelSpec.Parse(spec).ToList();
        if (vocabulary is int tokens)
            layers = [.. layers.Select(l => l.Name == "embedding" ? l with { Named = EmbeddingArguments(l.Named, tokens, embeddingStd) } : l)];
        var last = layers[^1];
        bool hasOutput = IsDense(last) && last.Positional.Count == 1 && !last.Named.ContainsKey("activation")
            && int.TryParse(last.Positional[0], out int units) && units == outputs;
        if (!hasOutput) layers.Add(new LayerSpec("dense", [outputs.ToString(System.Globalization.CultureInfo.InvariantCulture)], new Dictionary<string, string>(), 0));
        if (dropout > 0)
        {
            var withDropout = new List<LayerSpec>();
            for (int i = 0; i < layers.Count; i++)
            {
                withDropout.Add(layers[i]);
                bool hidden = i < layers.Count - 1;
                if (hidden && IsDense(layers[i]) && layers[i + 1].Name != "dropout")
                    withDropout.Add(new LayerSpec("dropout", [dropout.ToString("R", System.Globalization.CultureInfo.InvariantCulture)], new Dictionary<string, string>(), 0));
            }
            layers = withDropout;
        }
        return ModelSpec.Format(layers);
    }

    private static Dictionary<string, string> EmbeddingArguments(IReadOnlyDictionary<string, string> given, int vocabulary, float? std)
    {
        var named = new Dictionary<string, string>(given);
        named.TryAdd("vocab", vocabulary.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (std is float s) named.TryAdd("std", s.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return named;
    }

    /// <summary>True when the spec has convolutional layers, which take images as [N, 1, H, W].</summary>
    public static bool IsConvolutional(string spec) =>
        ModelSpec.Parse(spec).Any(l => l.Name.StartsWith("conv", StringComparison.Ordinal) || l.Name.Contains("pool", StringComparison.Ordinal));

    /// <summary>The loss of a task (targets as the data layer gives them).</summary>
    public static Loss LossFor(TaskKind task) => task switch
    {
        TaskKind.MultiClass => new CrossEntropyLoss(),
        TaskKind.Regression => new MSELoss(),
        _ => new BCEWithLogitsLoss(),
    };

    private static bool IsDense(LayerSpec l) => l.Name is "dense" or "linear";
}
