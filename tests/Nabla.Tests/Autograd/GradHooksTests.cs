using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

public class GradHooksTests
{
    [Fact]
    public void A_hook_sees_the_final_gradient_of_a_leaf_used_twice()
    {
        var w = Tensor.FromArray([3f]).RequireGrad();
        var seen = new List<float>();
        using var handle = w.RegisterPostAccumulateGradHook(t => seen.Add(t.Grad!.Item()));
        (w * w + w * 2f).Sum().Backward(); // d/dw = 2w + 2 = 8, made of two contributions
        Assert.Equal([8f], seen);
    }

    [Fact]
    public void Hooks_run_from_the_output_layer_backwards_before_earlier_rules()
    {
        var rng = new Rng(1);
        var model = new Sequential(new Dense(3, 4, rng), new ReLU(), new Dense(4, 2, rng));
        var names = model.NamedParameters().ToArray();
        var order = new List<string>();
        var handles = names.Select(p => p.Tensor.RegisterPostAccumulateGradHook(_ => order.Add(p.Name))).ToList();
        model.Forward(Tensor.Randn(new Shape(5, 3), rng)).Square().Mean().Backward();
        // The last layer's gradients are final before the first layer's rule has run.
        Assert.Equal(4, order.Count);
        Assert.True(order.IndexOf("2.weight") < order.IndexOf("0.weight"), string.Join(", ", order));
        Assert.True(order.IndexOf("2.bias") < order.IndexOf("0.bias"), string.Join(", ", order));
        handles.ForEach(h => h.Dispose());
    }

    [Fact]
    public void A_leaf_the_pass_does_not_reach_gets_no_call_and_a_removed_hook_none()
    {
        var used = Tensor.FromArray([1f]).RequireGrad();
        var unused = Tensor.FromArray([1f]).RequireGrad();
        int usedCalls = 0, unusedCalls = 0;
        var handle = used.RegisterPostAccumulateGradHook(_ => usedCalls++);
        using var other = unused.RegisterPostAccumulateGradHook(_ => unusedCalls++);
        (used * 2f).Sum().Backward();
        handle.Dispose();
        (used * 2f).Sum().Backward();
        Assert.Equal(1, usedCalls);
        Assert.Equal(0, unusedCalls);
    }

    [Fact]
    public void Queued_callbacks_run_once_after_every_hook_before_backward_returns()
    {
        var a = Tensor.FromArray([1f, 2f]).RequireGrad();
        var b = Tensor.FromArray([3f, 4f]).RequireGrad();
        var events = new List<string>();
        bool queued = false;
        void Hook(string name)
        {
            events.Add(name);
            if (queued) return;
            queued = true;
            GradHooks.QueueCallback(() => events.Add("end"));
        }
        using var ha = a.RegisterPostAccumulateGradHook(_ => Hook("a"));
        using var hb = b.RegisterPostAccumulateGradHook(_ => Hook("b"));
        (a * b).Sum().Backward();
        Assert.Equal(3, events.Count);
        Assert.Equal("end", events[^1]);
        Assert.Equal(["a", "b"], events.Take(2).Order());
    }

    [Fact]
    public void Hooks_go_on_leaves_that_require_grad_and_callbacks_inside_backward_only()
    {
        var x = Tensor.FromArray([1f]).RequireGrad();
        Assert.Throws<InvalidOperationException>(() => (x * 2f).RegisterPostAccumulateGradHook(_ => { }));
        Assert.Throws<InvalidOperationException>(() => Tensor.FromArray([1f]).RegisterPostAccumulateGradHook(_ => { }));
        Assert.Throws<InvalidOperationException>(() => GradHooks.QueueCallback(() => { }));
    }

    [Fact]
    public void A_failed_pass_leaves_no_stale_count_behind()
    {
        var w = Tensor.FromArray([2f]).RequireGrad();
        int calls = 0;
        using var handle = w.RegisterPostAccumulateGradHook(_ => calls++);
        Tensor ended;
        using (TensorScope.Begin()) ended = w * 3f;     // ends with its scope
        Assert.Throws<ObjectDisposedException>(() => (ended + w).Sum().Backward());
        (w * 5f).Sum().Backward();
        Assert.Equal(1, calls);
        Assert.Equal(5f, w.Grad!.Item());
    }
}
