using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A stack of <see cref="TransformerEncoderLayer"/>s and an optional final layer norm, as PyTorch's
/// <c>nn.TransformerEncoder</c>: state-dict names <c>layers.0.…</c>, <c>layers.1.…</c>, <c>norm.*</c>.
/// With <c>isCausal</c> it is also the body of a decoder-only (GPT-style) language model.
/// </summary>
/// <example><code>
/// var encoder = new TransformerEncoder(i => new TransformerEncoderLayer(128, 4, rng, dimFeedforward: 512), numLayers: 2);
/// </code></example>
public sealed class TransformerEncoder : Module
{
    private readonly ModuleList _layers;

    /// <summary>
    /// A stack of <paramref name="numLayers"/> layers made by <paramref name="layer"/> (called with
    /// each index; PyTorch deep-copies one layer instead, so its layers start equal), then <paramref name="norm"/>.
    /// </summary>
    public TransformerEncoder(Func<int, TransformerEncoderLayer> layer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfLessThan(numLayers, 1);
        _layers = RegisterModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) _layers.Add(layer(i));
        if (norm is not null) Norm = RegisterModule("norm", norm);
    }

    /// <summary>The layers (<c>layers</c>).</summary>
    public ModuleList Layers => _layers;

    /// <summary>The final layer norm (<c>norm</c>), or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>
    /// The stack in a <see cref="Sequential"/>: the input's padding mask (<see cref="Tensor.Mask"/>, from an
    /// embedding with a padding index) becomes the key padding mask, and passes on to the output.
    /// </summary>
    public override Tensor Forward(Tensor input) => Forward(input, null, KeyPadding(input));

    /// <summary>Output position t belongs to input position t, so the padding mask passes on.</summary>
    public override bool SupportsMasking => true;

    /// <summary>
    /// The key padding mask that hides the padding of <paramref name="input"/>'s <see cref="Tensor.Mask"/>
    /// (1 at real positions): non-zero where the mask is 0. Null without a mask.
    /// </summary>
    internal static AttentionMask? KeyPadding(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Mask is not { } mask) return null;
        var padding = Tensor.Scoped(mask.Shape);
        var p = padding.AsSpan();
        var m = mask.IsContiguous ? mask.AsReadOnlySpan() : mask.ToArray();
        for (int i = 0; i < p.Length; i++) p[i] = m[i] == 0f ? 1f : 0f;
        return AttentionMask.Boolean(padding);
    }

    /// <summary>Passes <paramref name="src"/> [B, L, E] through every layer, then the norm.</summary>
    /// <param name="src">The sequence (with a cache: only its new positions).</param>
    /// <param name="mask">Attention mask [L, L] or [B·H, L, L].</param>
    /// <param name="srcKeyPaddingMask">[B, L], non-zero (boolean) at padding.</param>
    /// <param name="isCausal">Causal self-attention in every layer.</param>
    /// <param name="cache">Caches of earlier positions for step-by-step decoding (inference only).</param>
    public Tensor Forward(Tensor src, AttentionMask? mask = null, AttentionMask? srcKeyPaddingMask = null, bool isCausal = false,
        TransformerCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(src);
        cache?.CheckLayers(_layers.Count, Describe());
        var x = src;
        for (int i = 0; i < _layers.Count; i++)
            x = ((TransformerEncoderLayer)_layers[i]).Forward(x, mask, srcKeyPaddingMask, isCausal, cache?.Self(i));
        return Norm is null ? x : Norm.Forward(x);
    }

    /// <summary><c>TransformerEncoder(2 layers)</c>.</summary>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"TransformerEncoder({_layers.Count} layer{(_layers.Count == 1 ? "" : "s")}{(Norm is null ? "" : ", norm")})");
}
