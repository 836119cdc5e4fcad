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
    public void A_steady_state_mlp_training_step_allocates_nothing()
    {
        // The benchmark's MLP and recipe: 784-256-128-10 ReLU, Adam, cross-entropy, batch 128, accuracy metric.
        var rng = new Rng(5);
        var model = new Sequential(new Dense(784, 256, rng), new ReLU(), new Dense(256, 128, rng), new ReLU(), new Dense(128, 10, rng));
        var x = Tensor.Randn(new Shape(512, 784), rng);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 512).Select(i => (float)(i % 10))]);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var metrics = new Metric[] { new Accuracy() };
        var source = new TensorBatchSource(x, y, 128, rng);
        source.StartEpoch();
        for (int i = 0; i < 10; i++) TrainingStep.Run(model, loss, optimizer, source, i % source.BatchCount, metrics, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) TrainingStep.Run(model, loss, optimizer, source, i % source.BatchCount, metrics, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }
}
