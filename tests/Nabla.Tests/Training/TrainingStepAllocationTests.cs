using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

[Collection(ProcessWideStateCollection.Name)]
public class TrainingStepAllocationTests
{
    [Fact]
    public void A_steady_state_mlp_training_step_allocates_only_a_few_tensor_objects_whatever_the_batch_size()
    {
        // The benchmark's MLP and recipe: 784-256-128-10 ReLU, Adam, cross-entropy, accuracy metric.
        long PerStep(int batch)
        {
            var rng = new Rng(5);
            var model = new Sequential(new Dense(784, 256, rng), new ReLU(), new Dense(256, 128, rng), new ReLU(), new Dense(128, 10, rng));
            var x = Tensor.Randn(new Shape(4 * batch, 784), rng);
            var y = Tensor.FromArray([.. Enumerable.Range(0, 4 * batch).Select(i => (float)(i % 10))]);
            var optimizer = new Adam(model.Parameters(), 1e-3f);
            var loss = new CrossEntropyLoss();
            var metrics = new Metric[] { new Accuracy() };
            var source = new TensorBatchSource(x, y, batch, rng);
            source.StartEpoch();
            int i = 0;
            return AllocationProbe.PerCall(() => TrainingStep.Run(model, loss, optimizer, source, i++ % source.BatchCount, metrics, out _), warmup: 10, calls: 50);
        }

        long small = PerStep(32), large = PerStep(128);
        // Every buffer is pooled: what a step allocates does not grow with the data it moves.
        Assert.Equal(small, large);
        AllocationProbe.AtMostTensorObjects(large, 16, "an MLP training step");
    }
}
