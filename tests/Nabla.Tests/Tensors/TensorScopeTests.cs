using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

/// <summary>
/// A tensor's life ends with the scope that made it: every later use throws, and no handle can ever
/// reach a buffer that another tensor now uses.
/// </summary>
public class TensorScopeTests
{
    private static void AssertEnded(Action use, string? scopeName = null)
    {
        var e = Assert.Throws<ObjectDisposedException>(use);
        Assert.Contains("TensorScope #", e.Message);
        if (scopeName is not null) Assert.Contains($"\"{scopeName}\"", e.Message);
        Assert.Contains("TensorScope.Keep", e.Message);
    }

    [Fact]
    public void A_tensor_kept_by_mistake_past_its_scope_throws_instead_of_reading_the_next_tensors_data()
    {
        Tensor escaped;
        using (TensorScope.Begin("first step"))
            escaped = Tensor.FromArray([1f, 2f, 3f]) * 1f;
        // The next scope rents the same buffer for a tensor of the same size.
        Tensor live;
        using (TensorScope.Begin("second step"))
        {
            live = Tensor.FromArray([7f, 8f, 9f]) * 1f;
            Assert.Equal([7f, 8f, 9f], live.ToArray());
            AssertEnded(() => escaped.ToArray(), "first step");
            AssertEnded(() => escaped.AsSpan(), "first step");
            AssertEnded(() => escaped.AsReadOnlySpan(), "first step");
            AssertEnded(() => _ = escaped[0], "first step");
            AssertEnded(() => escaped[0] = 5f, "first step");
            AssertEnded(() => _ = escaped + 1f, "first step");
            AssertEnded(() => escaped.Sum(), "first step");
            AssertEnded(() => TensorScope.Keep(escaped), "first step");
            // Writing through the stale handle did not reach the live tensor.
            Assert.Equal([7f, 8f, 9f], live.ToArray());
        }
        Assert.True(escaped.IsDisposed);
        Assert.True(live.IsDisposed);
        Assert.Equal(new Shape(3), escaped.Shape); // the metadata stays readable for messages
    }

    [Fact]
    public void A_one_element_tensor_used_after_its_scope_throws_on_Item()
    {
        Tensor loss;
        using (TensorScope.Begin()) loss = (Tensor.Ones(4) * 2f).Sum();
        AssertEnded(() => loss.Item());
    }

    [Fact]
    public void A_kept_tensor_survives_and_keeps_its_values_while_later_scopes_reuse_the_pool()
    {
        Tensor kept;
        using (TensorScope.Begin())
            kept = TensorScope.Keep(Tensor.FromArray([1f, 2f, 3f]) * 2f);
        for (int i = 0; i < 5; i++)
            using (TensorScope.Begin())
                _ = Tensor.FromArray([9f, 9f, 9f]) * 1f;
        Assert.Equal([2f, 4f, 6f], kept.ToArray());
        Assert.False(kept.IsDisposed);
    }

    [Fact]
    public void A_view_lives_exactly_as_long_as_the_tensor_it_views()
    {
        Tensor view, keptView, keptOwnerView;
        using (TensorScope.Begin())
        {
            var owner = Tensor.Arange(6) * 1f;
            // Made where no scope is current: it still ends with the owner's buffer.
            using (TensorScope.Suspend()) view = owner.Reshape(2, 3);
            var other = Tensor.Arange(6) + 10f;
            keptView = TensorScope.Keep(other.Reshape(3, 2));
            var third = Tensor.Arange(4) + 20f;
            TensorScope.Keep(third);
            keptOwnerView = third.Reshape(2, 2);
        }
        AssertEnded(() => view.ToArray());
        // Keeping a view keeps the buffer it views.
        Assert.Equal([10f, 11f, 12f, 13f, 14f, 15f], keptView.ToArray());
        // A view that was not kept ends even though its owner was kept.
        AssertEnded(() => keptOwnerView.ToArray());
        using (TensorScope.Begin())
            _ = Tensor.Arange(6) * 0f;
        Assert.Equal([10f, 11f, 12f, 13f, 14f, 15f], keptView.ToArray());
    }

    [Fact]
    public void Nested_scopes_end_their_own_tensors_only()
    {
        using (TensorScope.Begin("outer"))
        {
            var outer = Tensor.Ones(3) * 4f;
            Tensor inner;
            using (TensorScope.Begin("inner"))
            {
                inner = outer + 1f;
                var viewOfOuter = outer.Reshape(1, 3); // tracked with outer's storage
                Assert.Equal([5f, 5f, 5f], inner.ToArray());
                _ = viewOfOuter;
            }
            AssertEnded(() => inner.ToArray(), "inner");
            Assert.Equal([4f, 4f, 4f], outer.ToArray());
        }
    }

    [Fact]
    public void Backward_through_a_graph_whose_scope_ended_throws_instead_of_using_recycled_inputs()
    {
        var w = Tensor.FromArray([1f, 2f, 3f]).RequireGrad();
        Tensor loss;
        using (TensorScope.Begin())
        {
            var h = w * 2f;
            loss = TensorScope.Keep((h * h).Sum());
        }
        // h ended with the scope; its node still needs it.
        Assert.Throws<ObjectDisposedException>(() => loss.Backward());
        Assert.Null(w.Grad); // checked before any rule ran: no partial gradient
    }

    [Fact]
    public void Random_lifetimes_never_let_a_handle_see_another_tensors_values()
    {
        // Many scopes of same-sized tensors, each holding a unique value; some handles are kept,
        // all escape. A kept handle must read its own value forever; any other must throw.
        var rng = new Rng(17);
        var escaped = new List<(Tensor T, float Value, bool Kept)>();
        float next = 1f;
        for (int step = 0; step < 200; step++)
        {
            using (TensorScope.Begin())
            {
                int count = 1 + rng.NextInt(4);
                for (int i = 0; i < count; i++)
                {
                    float v = next++;
                    var t = Tensor.Full(new Shape(8), v) * 1f;
                    bool keep = rng.NextInt(5) == 0;
                    if (keep) TensorScope.Keep(t);
                    escaped.Add((t, v, keep));
                }
            }
            foreach (var (t, v, kept) in escaped)
            {
                if (kept) Assert.All(t.ToArray(), x => Assert.Equal(v, x));
                else Assert.Throws<ObjectDisposedException>(() => t.ToArray());
            }
        }
    }
}
