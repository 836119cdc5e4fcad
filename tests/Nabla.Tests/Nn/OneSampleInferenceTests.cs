using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

/// <summary>
/// One-sample inference through a large Dense layer switches to the zero-skipping product on a
/// transposed copy of the weights; the copy must follow every change of the weights.
/// </summary>
public class OneSampleInferenceTests
{
    private static Tensor SparseInput(int k, int seed)
    {
        var rng = new Random(seed);
        return Tensor.FromArray([.. Enumerable.Range(0, k).Select(_ => rng.NextDouble() < 0.6 ? 0f : (float)rng.NextDouble())], 1, k);
    }

    private static float[] Infer(Dense layer, Tensor x)
    {
        using (GradMode.NoGrad())
            return layer.Forward(x).ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"[{i}] {actual[i]} vs {expected[i]}");
    }

    // The batched product of the same row (never takes the sparse path) is the reference.
    private static float[] Reference(Dense layer, Tensor x)
    {
        var two = Tensor.FromArray([.. x.ToArray(), .. x.ToArray()], 2, x.Shape[1]);
        using (GradMode.NoGrad())
            return layer.Forward(two).ToArray()[..layer.Weight.Shape[0]];
    }

    [Fact]
    public void Repeated_calls_agree_with_the_batched_product_and_follow_weight_changes()
    {
        var layer = new Dense(784, 256, new Rng(4));
        var x = SparseInput(784, 1);
        for (int i = 0; i < 20; i++) AssertClose(Reference(layer, x), Infer(layer, x));
        Assert.True(layer.HoldsTransposedCopy, "20 unchanged calls should have switched to the zero-skipping product");

        // Written through AsSpan.
        layer.Weight.AsSpan()[5 * 784 + 3] += 1f;
        for (int i = 0; i < 12; i++) AssertClose(Reference(layer, x), Infer(layer, x));

        // Written through the indexer.
        layer.Weight[7, 10] = 3f;
        for (int i = 0; i < 12; i++) AssertClose(Reference(layer, x), Infer(layer, x));

        // Written through a view that shares the buffer.
        layer.Weight.Reshape(256 * 784).AsSpan()[11 * 784 + 20] = -2f;
        for (int i = 0; i < 12; i++) AssertClose(Reference(layer, x), Infer(layer, x));

        // Changed by an optimizer step.
        layer.Forward(x).Sum().Backward();
        new SGD(layer.Parameters(), 0.5f).Step();
        for (int i = 0; i < 12; i++) AssertClose(Reference(layer, x), Infer(layer, x));

        // Replaced by loading a state dict.
        var other = new Dense(784, 256, new Rng(99));
        layer.LoadStateDict(other.StateDict());
        for (int i = 0; i < 12; i++) AssertClose(Reference(other, x), Infer(layer, x));
        Assert.True(layer.HoldsTransposedCopy);
    }

    [Fact]
    public void The_linear_op_itself_keeps_no_copy_so_a_transposed_view_is_always_read_afresh()
    {
        // Only Dense holds the cache (tied to its own weight tensor); the op on an arbitrary view
        // takes the dense product every time and follows every change.
        var stored = Tensor.Randn(new Shape(784, 256), new Rng(8));
        var x = SparseInput(784, 3);
        float[] Run()
        {
            using (GradMode.NoGrad())
            using (TensorScope.Begin())
                return x.Linear(stored.T(), null).ToArray();
        }
        var before = Run();
        for (int i = 0; i < 12; i++) AssertClose(before, Run());
        var xs = x.ToArray();
        int row = Array.FindIndex(xs, v => v != 0f);
        stored.AsSpan()[row * 256 + 7] += 5f;
        var after = Run();
        Assert.NotEqual(before[7], after[7]);
        float expected = 0f;
        for (int p = 0; p < 784; p++) expected += xs[p] * stored[p, 7];
        Assert.Equal(expected, after[7], 3);
    }

    [Fact]
    public void Training_steps_between_calls_never_make_the_copy()
    {
        var layer = new Dense(784, 256, new Rng(5));
        var opt = new SGD(layer.Parameters(), 0.01f);
        var x = SparseInput(784, 2);
        for (int i = 0; i < 20; i++)
        {
            Infer(layer, x);
            opt.ZeroGrad();
            layer.Forward(x).Sum().Backward();
            opt.Step();
        }
        Assert.False(layer.HoldsTransposedCopy);
    }

    [Fact]
    public void Writes_through_the_span_or_a_view_move_the_version()
    {
        var w = Tensor.Zeros(4, 4);
        int v0 = w.Version;
        w.AsSpan()[0] = 1f;
        Assert.True(w.Version > v0);
        int v1 = w.Version;
        w.Reshape(16).AsSpan()[1] = 1f;
        Assert.True(w.Version > v1);
        int v2 = w.Version;
        w[2, 2] = 5f;
        Assert.True(w.Version > v2);
    }
}
