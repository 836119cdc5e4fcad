using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.Nn;

/// <summary>
/// LayerNorm, MultiheadAttention, the transformer layers and a 2-layer Transformer against numbers
/// PyTorch 1.13 wrote (bench/peers/make_attention_fixtures.py; eval mode, dropout 0, computed in
/// float64 from float32 weights and inputs): the state-dict names must be PyTorch's exactly, and the
/// outputs and every gradient must agree within 1e-5 relative.
/// </summary>
public class AttentionConformanceTests
{
    private const int E = 8;

    [Fact]
    public void MultiheadAttention_with_additive_mask_and_key_padding_matches_pytorch()
    {
        var fx = Fixture("mha_cross");
        var mha = Load(new MultiheadAttention(E, 2, new Rng(1)), fx);
        var (q, k, v) = (Input(fx, "query"), Input(fx, "key"), Input(fx, "value"));
        var (y, w) = mha.Forward(q, k, v, keyPaddingMask: AttentionMask.Boolean(fx["mask.key_padding_mask"]), needWeights: true,
            attnMask: AttentionMask.Additive(fx["mask.attn_mask"]));
        Check(fx, mha, y, w, ("query", q), ("key", k), ("value", v));
    }

    [Fact]
    public void MultiheadAttention_self_attention_with_boolean_masks_and_per_head_weights_matches_pytorch()
    {
        var fx = Fixture("mha_self");
        var mha = Load(new MultiheadAttention(E, 4, new Rng(1)), fx);
        var x = Input(fx, "x");
        var (y, w) = mha.Forward(x, x, x, keyPaddingMask: AttentionMask.Boolean(fx["mask.key_padding_mask"]), needWeights: true,
            attnMask: AttentionMask.Boolean(fx["mask.attn_mask"]), averageAttnWeights: false);
        Check(fx, mha, y, w, ("x", x));
    }

    [Fact]
    public void MultiheadAttention_with_a_mask_per_batch_and_head_matches_pytorch()
    {
        var fx = Fixture("mha_mask3d");
        var mha = Load(new MultiheadAttention(E, 2, new Rng(1)), fx);
        var (q, k, v) = (Input(fx, "query"), Input(fx, "key"), Input(fx, "value"));
        var (y, w) = mha.Forward(q, k, v, needWeights: false, attnMask: AttentionMask.Additive(fx["mask.attn_mask"]));
        Assert.Null(w);
        Check(fx, mha, y, null, ("query", q), ("key", k), ("value", v));
    }

    [Theory]
    [InlineData("encoder_layer_post_relu", false, "relu")]
    [InlineData("encoder_layer_pre_gelu", true, "gelu")]
    public void TransformerEncoderLayer_matches_pytorch(string name, bool normFirst, string activation)
    {
        var fx = Fixture(name);
        var layer = Load(new TransformerEncoderLayer(E, 2, new Rng(1), dimFeedforward: 16, dropout: 0f, activation: activation, normFirst: normFirst), fx);
        var src = Input(fx, "src");
        var y = layer.Forward(src, AttentionMask.Additive(fx["mask.src_mask"]), AttentionMask.Boolean(fx["mask.src_key_padding_mask"]));
        Check(fx, layer, y, null, ("src", src));
    }

    [Theory]
    [InlineData("decoder_layer_post_relu", false, "relu")]
    [InlineData("decoder_layer_pre_gelu", true, "gelu")]
    public void TransformerDecoderLayer_matches_pytorch(string name, bool normFirst, string activation)
    {
        var fx = Fixture(name);
        var layer = Load(new TransformerDecoderLayer(E, 2, new Rng(1), dimFeedforward: 16, dropout: 0f, activation: activation, normFirst: normFirst), fx);
        var (tgt, memory) = (Input(fx, "tgt"), Input(fx, "memory"));
        var y = layer.Forward(tgt, memory, tgtMask: AttentionMask.Additive(fx["mask.tgt_mask"]),
            tgtKeyPaddingMask: AttentionMask.Boolean(fx["mask.tgt_key_padding_mask"]),
            memoryKeyPaddingMask: AttentionMask.Boolean(fx["mask.memory_key_padding_mask"]));
        Check(fx, layer, y, null, ("tgt", tgt), ("memory", memory));
    }

    [Fact]
    public void Two_layer_Transformer_matches_pytorch()
    {
        var fx = Fixture("transformer");
        var model = Load(new Transformer(E, 2, new Rng(1), numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16, dropout: 0f), fx);
        var (src, tgt) = (Input(fx, "src"), Input(fx, "tgt"));
        var srcPadding = AttentionMask.Boolean(fx["mask.src_key_padding_mask"]);
        var y = model.Forward(src, tgt, tgtMask: AttentionMask.Additive(fx["mask.tgt_mask"]), srcKeyPaddingMask: srcPadding,
            tgtKeyPaddingMask: AttentionMask.Boolean(fx["mask.tgt_key_padding_mask"]), memoryKeyPaddingMask: srcPadding);
        Check(fx, model, y, null, ("src", src), ("tgt", tgt));
    }

    [Fact]
    public void Two_layer_Transformer_with_the_causal_flag_equals_the_square_subsequent_mask()
    {
        var fx = Fixture("transformer");
        var model = Load(new Transformer(E, 2, new Rng(1), numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16, dropout: 0f), fx);
        var srcPadding = AttentionMask.Boolean(fx["mask.src_key_padding_mask"]);
        var tgtPadding = AttentionMask.Boolean(fx["mask.tgt_key_padding_mask"]);
        var y = model.Forward(fx["input.src"], fx["input.tgt"], tgtIsCausal: true, srcKeyPaddingMask: srcPadding,
            tgtKeyPaddingMask: tgtPadding, memoryKeyPaddingMask: srcPadding);
        AssertClose(fx["output"], y, "output with tgtIsCausal");
    }

    [Theory]
    [InlineData("layer_norm", 1, 1e-5f)]
    [InlineData("layer_norm_2d", 2, 1e-3f)]
    public void LayerNorm_matches_pytorch(string name, int normalizedRank, float eps)
    {
        var fx = Fixture(name);
        var x = Input(fx, "x");
        var shape = normalizedRank == 1 ? new Shape(6) : new Shape(3, 6);
        var norm = Load(new LayerNorm(shape, eps), fx);
        Check(fx, norm, norm.Forward(x), null, ("x", x));
    }

    private static IReadOnlyDictionary<string, Tensor> Fixture(string name) =>
        Safetensors.Load(Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "Nn", "fixtures", "attention", name + ".safetensors")).Tensors;

    private static Tensor Input(IReadOnlyDictionary<string, Tensor> fx, string name)
    {
        var t = fx["input." + name];
        t.RequiresGrad = true;
        return t;
    }

    // The module's state dict must have exactly PyTorch's keys; then PyTorch's values are loaded.
    private static T Load<T>(T module, IReadOnlyDictionary<string, Tensor> fx) where T : Module
    {
        var expected = fx.Keys.Where(k => k.StartsWith("param.", StringComparison.Ordinal)).Select(k => k["param.".Length..]).Order().ToArray();
        Assert.Equal(expected, module.StateDict().Keys.Order().ToArray());
        module.LoadStateDict(expected.ToDictionary(k => k, k => fx["param." + k]));
        module.Eval();
        return module;
    }

    private static void Check(IReadOnlyDictionary<string, Tensor> fx, Module module, Tensor output, Tensor? weights, params (string Name, Tensor Tensor)[] inputs)
    {
        AssertClose(fx["output"], output, "output");
        if (weights is not null) AssertClose(fx["weights"], weights, "attention weights");
        output.Backward(fx["grad_output"]);
        foreach (var (name, t) in inputs) AssertClose(fx["grad.input." + name], t.Grad!, "gradient of input " + name);
        foreach (var (name, p) in module.NamedParameters()) AssertClose(fx["grad.param." + name], p.Grad!, "gradient of " + name);
    }

    /// <summary>|a − e| ≤ 1e-5·(|e| + mean |e|) elementwise: relative, with the tensor's scale as the floor near zero.</summary>
    internal static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        double scale = e.Length == 0 ? 0 : e.Average(x => Math.Abs((double)x));
        for (int i = 0; i < e.Length; i++)
        {
            double err = Math.Abs((double)a[i] - e[i]);
            Assert.True(err <= 1e-5 * (Math.Abs(e[i]) + scale),
                $"{what}[{i}]: Nabla {a[i]:R}, PyTorch {e[i]:R}, |difference| {err:E2} > 1e-5·(|PyTorch| + mean |PyTorch| = {scale:G4})");
        }
    }
}
