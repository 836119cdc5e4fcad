using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void FromArray_keeps_values_in_row_major_order()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(new Shape(2, 3), t.Shape);
        Assert.Equal(6f, t[1, 2]);
        Assert.Equal(4f, t[1, 0]);
        Assert.Equal(3f, t[0, -1]);
    }

    [Fact]
    public void FromArray_with_the_wrong_element_count_names_both_sizes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Tensor.FromArray([1, 2, 3], 2, 2));
        Assert.Contains("3 values", e.Message);
        Assert.Contains("[2, 2]", e.Message);
    }

    [Fact]
    public void Creation_functions_fill_as_named()
    {
        Assert.All(Tensor.Zeros(2, 3).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(Tensor.Ones(4).ToArray(), v => Assert.Equal(1f, v));
        Assert.All(Tensor.Full(new Shape(2), 7f).ToArray(), v => Assert.Equal(7f, v));
        Assert.Equal([0f, 2f, 4f], Tensor.Arange(0, 5, 2).ToArray());
        Assert.Equal([1f, 0f, 0f, 1f], Tensor.Eye(2).ToArray());
        Assert.Equal(3.5f, Tensor.Scalar(3.5f).Item());
    }

    [Fact]
    public void Random_tensors_repeat_for_the_same_seed_and_differ_for_another()
    {
        var a = Tensor.Randn(new Shape(100), new Rng(7)).ToArray();
        var b = Tensor.Randn(new Shape(100), new Rng(7)).ToArray();
        var c = Tensor.Randn(new Shape(100), new Rng(8)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        double mean = a.Average();
        Assert.InRange(mean, -0.3, 0.3);
        Assert.All(Tensor.Rand(new Shape(1000), new Rng(1)).ToArray(), v => Assert.InRange(v, 0f, 0.99999994f));
    }

    [Fact]
    public void Transpose_is_a_view_and_contiguous_copies_it_in_the_new_order()
    {
        var t = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var tt = t.T();
        Assert.False(tt.IsContiguous);
        Assert.Equal(new Shape(3, 2), tt.Shape);
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], tt.ToArray());
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], tt.Contiguous().AsSpan().ToArray());
        t[0, 1] = 20f;
        Assert.Equal(20f, tt[1, 0]);
    }

    [Fact]
    public void Permute_and_reshape_follow_numpy_semantics()
    {
        var t = Tensor.Arange(24).Reshape(2, 3, 4);
        var p = t.Permute(2, 0, 1);
        Assert.Equal(new Shape(4, 2, 3), p.Shape);
        Assert.Equal(t[1, 2, 3], p[3, 1, 2]);
        Assert.Equal(new Shape(6, 4), t.Reshape(-1, 4).Shape);
        Assert.Equal(new Shape(2, 12), t.Flatten().Shape);
        Assert.Throws<ShapeMismatchException>(() => t.Reshape(5, 5));
    }

    [Fact]
    public void Narrow_selects_rows_and_columns_without_copying()
    {
        var t = Tensor.Arange(12).Reshape(3, 4);
        Assert.Equal([4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f], t.Rows(1, 2).ToArray());
        Assert.Equal([1f, 2f, 5f, 6f, 9f, 10f], t.Narrow(1, 1, 2).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Narrow(0, 2, 2));
    }

    [Fact]
    public void Broadcasting_adds_a_row_vector_to_every_row_and_a_column_to_every_column()
    {
        var m = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal([11f, 22f, 33f, 14f, 25f, 36f], (m + Tensor.FromArray([10, 20, 30])).ToArray());
        Assert.Equal([101f, 102f, 103f, 204f, 205f, 206f], (m + Tensor.FromArray([100, 200], 2, 1)).ToArray());
        Assert.Equal([2f, 4f, 6f, 8f, 10f, 12f], (m * 2f).ToArray());
        var outer = Tensor.FromArray([1, 2], 2, 1) * Tensor.FromArray([1, 10, 100], 1, 3);
        Assert.Equal([1f, 10f, 100f, 2f, 20f, 200f], outer.ToArray());
    }

    [Fact]
    public void Broadcasting_works_on_transposed_views()
    {
        var m = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3).T(); // [3,2] view
        var r = m - Tensor.FromArray([1, 1]);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], r.ToArray());
    }

    [Fact]
    public void Incompatible_shapes_name_the_op_and_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Contains("add", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[4]", e.Message);
        var m = Assert.Throws<ShapeMismatchException>(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(4, 5)));
        Assert.Contains("matmul", m.Message);
        Assert.Contains("[4, 5]", m.Message);
    }

    [Fact]
    public void MatMul_multiplies_plain_transposed_and_batched_operands()
    {
        var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        var b = Tensor.FromArray([7, 8, 9, 10, 11, 12], 3, 2);
        Assert.Equal([58f, 64f, 139f, 154f], a.MatMul(b).ToArray());
        Assert.Equal([58f, 64f, 139f, 154f], a.MatMul(b.T().Contiguous().T()).ToArray());
        Assert.Equal([58f, 139f, 64f, 154f], b.T().MatMul(a.T()).ToArray());
        var batched = Tensor.Stack([a, a]).MatMul(Tensor.Stack([b, b]));
        Assert.Equal(new Shape(2, 2, 2), batched.Shape);
        Assert.Equal([58f, 64f, 139f, 154f, 58f, 64f, 139f, 154f], batched.ToArray());
        Assert.Equal([58f, 64f, 139f, 154f, 58f, 64f, 139f, 154f], Tensor.Stack([a, a]).MatMul(b).ToArray());
    }

    [Fact]
    public void Concat_stack_gather_index_select_where_and_clamp_select_the_right_elements()
    {
        var a = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var b = Tensor.FromArray([5, 6], 1, 2);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], Tensor.Concat([a, b], 0).ToArray());
        Assert.Equal([1f, 2f, 5f, 3f, 4f, 6f], Tensor.Concat([a, b.Reshape(2, 1)], 1).ToArray());
        Assert.Equal(new Shape(2, 2, 2), Tensor.Stack([a, a], 1).Shape);
        Assert.Equal([2f, 3f], a.Gather(1, Tensor.FromArray([1, 0], 2, 1)).ToArray());
        Assert.Equal([3f, 4f, 1f, 2f], a.IndexSelect(0, Tensor.FromArray([1, 0])).ToArray());
        Assert.Equal([1f, 0f, 3f, 4f], Tensor.Where(a.Gt(2f).Add(Tensor.FromArray([1, 0])).Gt(0.5f), a, Tensor.Zeros(1)).ToArray());
        Assert.Equal([2f, 2f, 3f, 3f], a.Clamp(2, 3).ToArray());
        Assert.Throws<IndexOutOfRangeException>(() => a.IndexSelect(0, Tensor.FromArray([2])));
    }

    [Fact]
    public void Reductions_sum_average_and_find_maxima_along_axes()
    {
        var t = Tensor.FromArray([1, 5, 3, 4, 2, 6], 2, 3);
        Assert.Equal(21f, t.Sum().Item());
        Assert.Equal(3.5f, t.Mean().Item());
        Assert.Equal([5f, 7f, 9f], t.Sum(0).ToArray());
        Assert.Equal([3f, 4f], t.Mean(1).ToArray());
        Assert.Equal(new Shape(2, 1), t.Sum(1, keepDim: true).Shape);
        Assert.Equal([5f, 6f], t.Max(1).ToArray());
        Assert.Equal([1f, 2f], t.ArgMax(1).ToArray());
        Assert.Equal([1f, 0f, 1f], t.ArgMax(0).ToArray());
    }

    [Fact]
    public void ToString_shows_shape_and_elides_long_dimensions()
    {
        var s = Tensor.Arange(100).ToString();
        Assert.Contains("shape=[100]", s);
        Assert.Contains("...", s);
        Assert.Contains("99", s);
        Assert.Contains("[[0, 1],\n [2, 3]]", Tensor.Arange(4).Reshape(2, 2).ToString());
    }

    [Fact]
    public void Tensors_made_inside_a_scope_are_recycled_unless_kept()
    {
        Tensor kept;
        using (TensorScope.Begin())
        {
            var a = Tensor.Ones(3) * 2f;
            kept = TensorScope.Keep(a + 1f);
        }
        Assert.Equal([3f, 3f, 3f], kept.ToArray());
        using (TensorScope.Begin())
        {
            // the pools hand out buffers again; the kept tensor is unaffected
            var b = Tensor.Full(new Shape(3), 9f) + 0f;
            Assert.Equal([9f, 9f, 9f], b.ToArray());
        }
        Assert.Equal([3f, 3f, 3f], kept.ToArray());
    }
}
