using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public class EmbeddingOpTests
{
    private static Tensor Ids(float[] values, params int[] shape) => Tensor.FromArray(values, shape);

    [Fact]
    public void Backward_with_repeated_ids_matches_finite_differences()
    {
        var rng = new Rng(1);
        var w = GradAssert.Param(rng, 1f, 6, 3);
        var ids = Ids([1, 4, 1, 1, 5, 0, 4, 2], 2, 4);
        GradAssert.Passes(a => ids.Embedding(a[0]), w);
    }

    [Fact]
    public void Backward_with_padding_through_masked_pooling_matches_finite_differences()
    {
        // The padding row's output is W[pad] (PyTorch), which finite differences would see; a masked
        // pooling ignores those positions, so the whole function is differentiable where the rule says.
        var w = SequencePoolOpsTests.Spaced(new Rng(2), 7, 4);
        var ids = Ids([3, 3, 0, 0, 6, 2, 3, 0, 0, 0, 0, 0], 3, 4);
        GradAssert.Passes(a => { var e = ids.Embedding(a[0], paddingIdx: 0); return e.GlobalAvgPool1d(e.Mask); }, w);
        GradAssert.Passes(a => { var e = ids.Embedding(a[0], paddingIdx: 0); return e.GlobalMaxPool1d(e.Mask); }, w);
    }

    [Fact]
    public void The_padding_row_gets_no_gradient_and_repeated_ids_sum()
    {
        var w = Tensor.Randn(new Shape(5, 2), new Rng(3)).RequireGrad();
        var ids = Ids([2, 0, 2, 4], 4);
        var y = ids.Embedding(w, paddingIdx: 0);
        Assert.Equal(w[0, 1], y[1, 1]);
        var g = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 4, 2);
        y.Backward(g);
        Assert.Equal([0, 0, 0, 0, 1 + 5, 2 + 6, 0, 0, 7, 8], w.Grad!.ToArray());
        Assert.True(w.TryGetGradRows(out var rows));
        Assert.Equal([2, 4], rows.ToArray());
    }

    [Fact]
    public void The_mask_marks_padding_positions()
    {
        var w = Tensor.Zeros(4, 2);
        var y = Ids([1, 0, 3, 0, 0, 2], 2, 3).Embedding(w, paddingIdx: 0);
        Assert.Equal([1, 0, 1, 0, 0, 1], y.Mask!.ToArray());
        Assert.Equal(new Shape(2, 3), y.Mask.Shape);
        Assert.Null(Ids([1, 0], 2).Embedding(w).Mask);
    }

    [Fact]
    public void Keeping_a_result_past_its_scope_keeps_its_mask()
    {
        var w = Tensor.Zeros(3, 2);
        Tensor kept, dropped;
        using (TensorScope.Begin("lookup"))
        {
            kept = TensorScope.Keep(Ids([1, 0], 1, 2).Embedding(w, paddingIdx: 0));
            dropped = Ids([1, 0], 1, 2).Embedding(w, paddingIdx: 0);
        }
        Assert.Equal([1f, 0f], kept.Mask!.ToArray());
        Assert.Throws<ObjectDisposedException>(() => dropped.Mask!.ToArray());
    }

    [Fact]
    public void A_zeroed_gradient_is_overwritten_by_clearing_only_the_rows_written_before()
    {
        var w = Tensor.Randn(new Shape(50, 3), new Rng(4)).RequireGrad();
        var g = Tensor.Ones(2, 3);
        Ids([7, 9], 2).Embedding(w).Backward(g);
        var grad = w.Grad!;
        // ZeroGrad leaves the memory; the next backward must not leave rows 7 and 9 behind.
        w.MarkGradZero();
        Ids([9, 20], 2).Embedding(w).Backward(g);
        Assert.Same(grad, w.Grad);
        var expected = new float[150];
        for (int j = 0; j < 3; j++) { expected[9 * 3 + j] = 1; expected[20 * 3 + j] = 1; }
        Assert.Equal(expected, w.Grad!.ToArray());
        Assert.True(w.TryGetGradRows(out var rows));
        Assert.Equal([9, 20], rows.ToArray());
    }

    [Fact]
    public void Accumulating_two_lookups_unions_their_rows()
    {
        var w = Tensor.Randn(new Shape(10, 2), new Rng(5)).RequireGrad();
        var y = Ids([3], 1).Embedding(w).Sum() + Ids([8, 3], 2).Embedding(w).Sum();
        y.Backward();
        Assert.True(w.TryGetGradRows(out var rows));
        Assert.Equal([3, 8], rows.ToArray());
        Assert.Equal(2f, w.Grad![3, 0]);
        Assert.Equal(1f, w.Grad![8, 1]);
    }

    [Fact]
    public void A_gradient_written_by_anything_else_is_dense_again_and_fully_cleared_next_time()
    {
        var w = Tensor.Randn(new Shape(6, 2), new Rng(6)).RequireGrad();
        Ids([1], 1).Embedding(w).Sum().Backward();
        Assert.True(w.TryGetGradRows(out _));
        // Another op adds into the same gradient (a tied weight): rows no longer describe it.
        (Ids([1], 1).Embedding(w).Sum() + w.Sum()).Backward();
        Assert.False(w.TryGetGradRows(out _));
        // A user write through AsSpan also ends the record, and the next overwrite clears everything.
        Ids([2], 1).Embedding(w).Sum().Backward();
        w.Grad!.AsSpan()[10] = 42f;
        Assert.False(w.TryGetGradRows(out _));
        w.MarkGradZero();
        Assert.False(w.TryGetGradRows(out _));
        Ids([2], 1).Embedding(w).Sum().Backward();
        Assert.Equal([0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0], w.Grad!.ToArray());
    }

    [Fact]
    public void An_id_out_of_range_or_not_whole_names_its_position()
    {
        var w = Tensor.Zeros(4, 2);
        var e = Assert.Throws<IndexOutOfRangeException>(() => Ids([1, 4], 2).Embedding(w));
        Assert.Contains("id 4 at position 1", e.Message);
        e = Assert.Throws<IndexOutOfRangeException>(() => Ids([1.5f], 1).Embedding(w));
        Assert.Contains("position 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ids([1], 1).Embedding(w, paddingIdx: 4));
    }
}
