using System.Globalization;
using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// A stack of <see cref="TransformerDecoderLayer"/>s and an optional final layer norm, as PyTorch's
/// <c>nn.TransformerDecoder</c>: state-dict names <c>layers.0.…</c>, <c>norm.*</c>.
/// </summary>
public sealed class TransformerDecoder : Module
{
    private readonly ModuleList _layers;

    /// <summary>A stack of <paramref name="numLayers"/> layers made by <paramref name="layer"/>, then <paramref name="norm"/>.</summary>
    public TransformerDecoder(Func<int, TransformerDecoderLayer> layer, int numLayers, LayerNorm? norm = null)
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

    /// <summary>A decoder needs the encoder's memory: call the overload that takes it.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{Describe()} needs the encoder's memory: call Forward(tgt, memory, …)");

    /// <summary>Decodes <paramref name="tgt"/> [B, L_t, E] against <paramref name="memory"/> [B, L_s, E] → [B, L_t, E].</summary>
    /// <param name="tgt">The target sequence (with a cache: only its new positions).</param>
    /// <param name="memory">The encoder's output.</param>
    /// <param name="tgtMask">Self-attention mask [L_t, L_t] or [B·H, L_t, L_t].</param>
    /// <param name="memoryMask">Memory-attention mask [L_t, L_s] or [B·H, L_t, L_s].</param>
    /// <param name="tgtKeyPaddingMask">[B, L_t], non-zero (boolean) at target padding.</param>
    /// <param name="memoryKeyPaddingMask">[B, L_s], non-zero (boolean) at source padding.</param>
    /// <param name="tgtIsCausal">Causal self-attention without a mask tensor.</param>
    /// <param name="cache">Caches of earlier steps and of the memory (inference only; made with <c>withMemory: true</c>).</param>
    public Tensor Forward(Tensor tgt, Tensor memory, AttentionMask? tgtMask = null, AttentionMask? memoryMask = null,
        AttentionMask? tgtKeyPaddingMask = null, AttentionMask? memoryKeyPaddingMask = null, bool tgtIsCausal = false,
        TransformerCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(tgt);
        ArgumentNullException.ThrowIfNull(memory);
        cache?.CheckLayers(_layers.Count, Describe());
        var x = tgt;
        for (int i = 0; i < _layers.Count; i++)
            x = ((TransformerDecoderLayer)_layers[i]).Forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask,
                tgtIsCausal, cache is null ? null : (cache.Self(i), cache.Memory(i)));
        return Norm is null ? x : Norm.Forward(x);
    }

    /// <summary><c>TransformerDecoder(2 layers)</c>.</summary>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"TransformerDecoder({_layers.Count} layer{(_layers.Count == 1 ? "" : "s")}{(Norm is null ? "" : ", norm")})");
}
