using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

[Collection(ProcessWideStateCollection.Name)]
public class CompositeGradCheckTests
{
    /// <summary>Softmax cross-entropy of a 2-layer MLP, written with primitives only.</summary>
    private static Tensor MlpLoss(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor targets)
    {
        var hidden = (x.MatMul(w1.T()) + b1).Relu();
        var logits = hidden.MatMul(w2.T()) + b2;
        var logp = logits.LogSoftmax(-1);
        return -logp.Gather(1, targets).Mean();
    }

    [Fact]
    public void A_two_layer_mlp_with_softmax_cross_entropy_matches_finite_differences()
    {
        // Take the first seed whose hidden pre-activations all sit clear of the ReLU kink, so
        // the finite differences never straddle it.
        for (ulong seed = 3; ; seed++)
        {
            var rng = new Rng(seed);
            var x = GradAssert.Param(rng, 1f, 5, 4);
            var w1 = GradAssert.Param(rng, 0.7f, 6, 4);
            var b1 = GradAssert.Param(rng, 0.1f, 6);
            var w2 = GradAssert.Param(rng, 0.7f, 3, 6);
            var b2 = GradAssert.Param(rng, 0.1f, 3);
            var targets = Tensor.FromArray([0, 2, 1, 1, 0], 5, 1);
            using (GradMode.NoGrad())
            {
                if ((x.MatMul(w1.T()) + b1).Abs().ToArray().Min() < 0.05f) continue;
            }
            GradAssert.Passes(t => MlpLoss(t[0], t[1], t[2], t[3], t[4], targets), x, w1, b1, w2, b2);
            return;
        }
    }

    [Fact]
    public void A_steady_state_mlp_training_step_allocates_only_its_tensor_objects()
    {
        var rng = new Rng(11);
        var w1 = (Tensor.Randn(new Shape(64, 32), rng) * 0.1f).Detach().RequireGrad();
        var b1 = Tensor.Zeros(64).RequireGrad();
        var w2 = (Tensor.Randn(new Shape(10, 64), rng) * 0.1f).Detach().RequireGrad();
        var b2 = Tensor.Zeros(10).RequireGrad();
        var x = Tensor.Randn(new Shape(16, 32), rng);
        var targets = Tensor.FromArray([.. Enumerable.Range(0, 16).Select(i => (float)(i % 10))], 16, 1);

        void Step()
        {
            using (TensorScope.Begin())
            {
                var loss = MlpLoss(x, w1, b1, w2, b2, targets);
                loss.Backward();
            }
        }

        long perStep = AllocationProbe.PerCall(Step, warmup: 5, calls: 20);
        // The primitive-built MLP records about a dozen operations; each result is a new object, every buffer pooled.
        AllocationProbe.AtMostTensorObjects(perStep, 20, "a primitive-built MLP training step");
        Assert.NotNull(w1.Grad);
    }
}
