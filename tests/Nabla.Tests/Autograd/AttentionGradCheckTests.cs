using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>The fused attention and layer-norm operations against finite differences, on every write path.</summary>
public class AttentionGradCheckTests
{
    [Fact]
    public void Attention_with_distinct_query_key_and_value_passes_gradcheck()
    {
        var rng = new Rng(1);
        var q = GradAssert.Param(rng, 0.8f, 2, 3, 4);
        var k = GradAssert.Param(rng, 0.8f, 2, 5, 4);
        var v = GradAssert.Param(rng, 1f, 2, 5, 6);
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[1], t[2], heads: 2), q, k, v);
    }

    [Fact]
    public void Attention_with_every_kind_of_mask_passes_gradcheck()
    {
        var rng = new Rng(2);
        var q = GradAssert.Param(rng, 0.8f, 2, 3, 4);
        var k = GradAssert.Param(rng, 0.8f, 2, 5, 4);
        var v = GradAssert.Param(rng, 1f, 2, 5, 4);
        var additive = Tensor.Randn(new Shape(3, 5), rng) * 0.5f;
        additive[1, 0] = float.NegativeInfinity;
        var padding = Tensor.FromArray([0f, 0f, 0f, 0f, 1f, 0f, 1f, 0f, 0f, 0f], 2, 5);
        var perPiece = Tensor.FromArray(Enumerable.Range(0, 4 * 15).Select(i => i % 7 == 3 ? 1f : 0f).ToArray(), 4, 3, 5);
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[1], t[2], 2, AttentionMask.Additive(additive), AttentionMask.Boolean(padding)), q, k, v);
        // Causal with fewer queries than keys: query i sits at position L_k − L_q + i.
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[1], t[2], 2, keyPaddingMask: AttentionMask.Boolean(padding), isCausal: true), q, k, v);
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[1], t[2], 2, AttentionMask.Boolean(perPiece), scale: 0.7f), q, k, v);
    }

    [Fact]
    public void Attention_with_dropout_passes_gradcheck_when_the_mask_seed_is_fixed()
    {
        var rng = new Rng(3);
        var q = GradAssert.Param(rng, 0.8f, 2, 4, 4);
        var k = GradAssert.Param(rng, 0.8f, 2, 4, 4);
        var v = GradAssert.Param(rng, 1f, 2, 4, 4);
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[1], t[2], 2, dropout: 0.3f, rng: new Rng(99)), q, k, v);
    }

    [Fact]
    public void Attention_of_one_or_two_queries_by_dot_products_passes_gradcheck_with_dropout_and_masks()
    {
        var rng = new Rng(8);
        var q = GradAssert.Param(rng, 0.8f, 2, 2, 4);
        var k = GradAssert.Param(rng, 0.8f, 2, 6, 4);
        var v = GradAssert.Param(rng, 1f, 2, 6, 4);
        var padding = Tensor.FromArray([0f, 0f, 0f, 1f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f], 2, 6);
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[1], t[2], 2, keyPaddingMask: AttentionMask.Boolean(padding), isCausal: true,
            dropout: 0.25f, rng: new Rng(5)), q, k, v);
        GradAssert.Passes(t => t[0].Narrow(1, 0, 1).ScaledDotProductAttention(t[1], t[2], 1), q, k, v);
    }

    [Fact]
    public void Attention_of_one_tensor_as_query_key_and_value_accumulates_all_three_shares()
    {
        var rng = new Rng(4);
        var x = GradAssert.Param(rng, 0.8f, 2, 4, 6);
        var memory = GradAssert.Param(rng, 0.8f, 2, 3, 6);
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[0], t[0], 3, isCausal: true), x);
        // Key and value the same tensor (attention over a memory without projections).
        GradAssert.Passes(t => t[0].ScaledDotProductAttention(t[1], t[1], 2), x, memory);
    }

    [Fact]
    public void Attention_reads_strided_views_in_place_and_passes_gradcheck()
    {
        var rng = new Rng(5);
        var packed = GradAssert.Param(rng, 0.8f, 2, 4, 12);
        // Query, key and value as column blocks of one [B, L, 3E] tensor (rows of stride 12).
        GradAssert.Passes(t => t[0].Narrow(2, 0, 4).ScaledDotProductAttention(t[0].Narrow(2, 4, 4), t[0].Narrow(2, 8, 4), 2), packed);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void LayerNorm_passes_gradcheck_with_and_without_affine_parameters(bool weight, bool bias)
    {
        var rng = new Rng(6);
        var x = GradAssert.Param(rng, 2f, 3, 4, 5);
        var w = GradAssert.Param(rng, 0.5f, 5) + 1f;
        var gamma = w.Detach().RequireGrad();
        var beta = GradAssert.Param(rng, 0.3f, 5);
        var inputs = new List<Tensor> { x };
        if (weight) inputs.Add(gamma);
        if (bias) inputs.Add(beta);
        GradAssert.Passes(t => t[0].LayerNorm(new Shape(5), weight ? t[1] : null, bias ? t[weight ? 2 : 1] : null) * t[0], [.. inputs]);
    }

    [Fact]
    public void LayerNorm_over_two_trailing_dimensions_passes_gradcheck()
    {
        var rng = new Rng(7);
        var x = GradAssert.Param(rng, 1f, 2, 3, 4);
        var gamma = (GradAssert.Param(rng, 0.5f, 3, 4) + 1f).Detach().RequireGrad();
        var beta = GradAssert.Param(rng, 0.3f, 3, 4);
        GradAssert.Passes(t => t[0].LayerNorm(new Shape(3, 4), t[1], t[2], eps: 1e-3f), x, gamma, beta);
    }
}
