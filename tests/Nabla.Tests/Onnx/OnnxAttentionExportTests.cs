using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Generation;
using Nabla.Onnx;
using Nabla.Tensors;
using static Nabla.Tests.Onnx.OnnxRuntimeRunner;

namespace Nabla.Tests.Onnx;

/// <summary>Layer norm, positional encodings, attention and transformer stacks exported to ONNX give Nabla's outputs in ONNX Runtime within 1e-5.</summary>
public sealed class OnnxAttentionExportTests
{
    private static Tensor Sequences(int batch, int length, int e, ulong seed) => Tensor.Randn(new Shape(batch, length, e), new Rng(seed));

    /// <summary>Moves every parameter away from its initial value (layer norms start at γ = 1, β = 0, attention biases at 0).</summary>
    private static T Perturb<T>(T model, ulong seed) where T : Module
    {
        var rng = new Rng(seed);
        foreach (var (_, t) in model.StateDict()) rng.FillUniform(t.AsSpan(), -0.5f, 0.5f);
        return model;
    }

    [Fact]
    public void Layer_norm_matches_over_one_or_two_trailing_axes_with_and_without_affine_parameters()
    {
        AssertExportMatches(Perturb(new LayerNorm(6, eps: 1e-3f), 1), Sequences(3, 4, 6, 2));
        AssertExportMatches(new LayerNorm(6, elementwiseAffine: false), Sequences(3, 4, 6, 3));
        AssertExportMatches(Perturb(new LayerNorm(new Shape(4, 6)), 4), Sequences(3, 4, 6, 5));
    }

    [Fact]
    public void Learned_and_sinusoidal_positional_encodings_add_the_first_rows_of_their_tables()
    {
        AssertExportMatches(new LearnedPositionalEncoding(6, 9, new Rng(6)), Sequences(2, 5, 6, 7));
        AssertExportMatches(new SinusoidalPositionalEncoding(6, 50), Sequences(2, 5, 6, 8));
    }

    [Fact]
    public void Multihead_self_attention_matches()
    {
        AssertExportMatches(Perturb(new MultiheadAttention(8, 2, new Rng(9)), 10), Sequences(3, 5, 8, 11));
        AssertExportMatches(new MultiheadAttention(6, 3, new Rng(12), bias: false), Sequences(2, 4, 6, 13));
    }

    [Theory]
    [InlineData(false, "relu")]
    [InlineData(true, "gelu")]
    public void An_encoder_layer_matches_post_norm_and_pre_norm(bool normFirst, string activation)
    {
        var layer = Perturb(new TransformerEncoderLayer(8, 2, new Rng(14), dimFeedforward: 12, activation: activation, normFirst: normFirst), 15);
        AssertExportMatches(layer, Sequences(2, 5, 8, 16));
    }

    [Fact]
    public void An_encoder_stack_with_a_final_norm_in_a_sequential_after_an_embedding_matches()
    {
        var rng = new Rng(17);
        var encoder = new TransformerEncoder(_ => new TransformerEncoderLayer(8, 2, rng, dimFeedforward: 16), 2, new LayerNorm(8));
        var model = Perturb(new Sequential(new Embedding(10, 8, rng), new SinusoidalPositionalEncoding(8, 20), encoder, new GlobalAveragePooling1D(), new Dense(8, 3, rng)), 18);
        AssertExportMatches(model, Tensor.FromArray([1, 4, 9, 2, 0, 3, 3, 7, 5, 8, 6, 1], [3, 4]));
    }

    [Fact]
    public void After_an_embedding_with_padding_the_encoder_layers_hide_the_padding_keys_and_pass_the_mask_on_to_pooling()
    {
        var rng = new Rng(23);
        var model = Perturb(new Sequential(new Embedding(10, 8, rng, paddingIdx: 0), new LearnedPositionalEncoding(8, 6, rng),
            new TransformerEncoder(_ => new TransformerEncoderLayer(8, 2, rng, dimFeedforward: 16), 1, new LayerNorm(8)),
            new TransformerEncoderLayer(8, 2, rng, dimFeedforward: 12, normFirst: true), new GlobalAveragePooling1D(), new Dense(8, 3, rng)), 24);
        // Row 1 is padded after two tokens, row 2 is padding only (every key hidden: zeros, then a zero average).
        AssertExportMatches(model, Tensor.FromArray([1, 4, 9, 2, 5, 3, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 6]));
    }

    [Fact]
    public void A_transformer_language_model_gives_the_logits_of_every_position_under_the_causal_mask()
    {
        var rng = new Rng(19);
        var model = Perturb(new TransformerLanguageModel(11, 8, 2, 2, rng, (v, d) => new Embedding(v, d, rng), dimFeedforward: 16, maxLength: 12), 20);
        var ids = Tensor.FromArray([1, 5, 9, 2, 10, 0, 3, 3, 7, 4, 6, 8], [2, 6]);
        AssertExportMatches(model, ids);
    }

    [Theory]
    [InlineData(false, true)]    // post-norm, padding token 0 masked in the encoder, the decoder and the memory attention
    [InlineData(true, false)]    // pre-norm, no padding token
    public void A_seq2seq_transformer_gives_the_logits_of_its_forward_pass_on_source_and_target_inputs(bool normFirst, bool padding)
    {
        var rng = new Rng(21);
        var model = Perturb(new Seq2SeqTransformer(7, 9, 8, 2, rng, (v, d) => new Embedding(v, d, rng), numEncoderLayers: 2, numDecoderLayers: 2,
            dimFeedforward: 16, maxLength: 10, paddingToken: padding ? 0 : null, normFirst: normFirst, scaleEmbeddings: true), 22);
        var source = Tensor.FromArray([3, 5, 1, 6, 2, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0], [3, 5]);   // row 2: padding only
        var target = Tensor.FromArray([1, 8, 3, 2, 1, 4, 0, 0, 1, 7, 7, 5], [3, 4]);
        model.Eval();
        Tensor expected;
        using (GradMode.NoGrad())
        using (TensorScope.Suspend())
            expected = model.Forward(source, target).Contiguous();
        var bytes = OnnxExport.ToBytes(model, new Shape(1, 5), new Shape(1, 4));
        AssertClose(expected, Run(bytes, (OnnxExport.SourceName, source), (OnnxExport.TargetName, target))[OnnxExport.OutputName]);
    }
}
