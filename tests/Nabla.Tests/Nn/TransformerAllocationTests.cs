using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

/// <summary>
/// A steady-state training step of a transformer encoder layer (forward with dropout, backward,
/// Adam) allocates only tensor objects — a fixed number of them, whatever the batch and sequence
/// length — and no buffers: activations, attention probabilities, statistics and scratch are pooled.
/// </summary>
[Collection(ProcessWideStateCollection.Name)]
public class TransformerAllocationTests
{
    [Fact]
    public void An_encoder_layer_training_step_allocates_the_same_few_objects_for_any_batch_and_length()
    {
        long small = PerStep(batch: 2, length: 6);
        long large = PerStep(batch: 8, length: 24);
        Assert.True(Math.Abs(large - small) <= AllocationProbe.TensorObjectBytes(),
            $"a step allocated {small} bytes at batch 2 × 6 positions and {large} at batch 8 × 24: the allocation grows with the data");
        AllocationProbe.AtMostTensorObjects(large, 48, "a transformer encoder layer training step");
    }

    private static long PerStep(int batch, int length)
    {
        var rng = new Rng(1);
        var layer = new TransformerEncoderLayer(16, 2, rng, dimFeedforward: 32, dropout: 0.1f, normFirst: true);
        var adam = new Adam(layer.Parameters(), 1e-3f);
        var loss = new MSELoss();
        var x = Tensor.Randn(new Shape(batch, length, 16), rng);
        var target = Tensor.Randn(new Shape(batch, length, 16), rng);
        return AllocationProbe.PerCall(() =>
        {
            using (TensorScope.Begin("transformer step"))
                loss.Forward(layer.Forward(x, isCausal: true), target).Backward();
            adam.Step();
            adam.ZeroGrad();
        }, warmup: 10, calls: 30);
    }
}
