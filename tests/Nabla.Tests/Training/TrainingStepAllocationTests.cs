using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

[Collection(ProcessWideStateCollection.Name)]
public class TrainingStepAllocationTests
{
    // The benchmark's MLP and recipe: 784-256-128-10 ReLU, Adam, cross-entropy, batch 128, accuracy metric.
    private static Sequential Mlp(Rng rng) =>
        new(new Dense(784, 256, rng), new ReLU(), new Dense(256, 128, rng), new ReLU(), new Dense(128, 10, rng));

    private static (Tensor X, Tensor Y) Data(int rows, Rng rng) =>
        (Tensor.Randn(new Shape(rows, 784), rng), Tensor.FromArray([.. Enumerable.Range(0, rows).Select(i => (float)(i % 10))]));

    [Fact]
    public void A_steady_state_mlp_training_step_on_a_data_loader_allocates_nothing()
    {
        var rng = new Rng(5);
        var model = Mlp(rng);
        var (x, y) = Data(512, rng);
        var optimizer = new Adam(model.Parameters(), 1e-3f);
        var loss = new CrossEntropyLoss();
        var metrics = new Metric[] { new Accuracy() };
        var loader = new DataLoader(new Dataset(x, y), 128, shuffle: true, rng: rng);
        loader.StartEpoch();
        for (int i = 0; i < 10; i++) TrainingStep.Run(model, loss, optimizer, loader, i % loader.BatchCount, metrics, out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) TrainingStep.Run(model, loss, optimizer, loader, i % loader.BatchCount, metrics, out _);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Fit_on_tensors_allocates_nothing_between_the_batches_of_an_epoch()
    {
        // Fit(x, y) runs on DataLoader(Dataset(x, y)); the probe counts the bytes of every step of
        // the second epoch after its first batch: shuffled gathers, forward, backward, Adam, metric, logs.
        var rng = new Rng(6);
        var model = Mlp(rng);
        var (x, y) = Data(2048, rng);
        var probe = new AllocationProbe(epoch: 1, fromBatch: 0, toBatch: 15);
        model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 2, batchSize: 128,
            metrics: [new Accuracy()], callbacks: [probe], rng: rng);

        Assert.Equal(15, probe.Steps);
        Assert.Equal(0, probe.Allocated);
    }

    /// <summary>Bytes this thread allocated from the end of one batch to the end of a later one in the same epoch.</summary>
    private sealed class AllocationProbe(int epoch, int fromBatch, int toBatch) : Callback
    {
        private long _start;

        public long Allocated { get; private set; } = -1;

        public int Steps { get; private set; }

        public override void OnBatchEnd(in BatchLogs logs)
        {
            if (logs.Epoch != epoch) return;
            if (logs.Batch == fromBatch) _start = GC.GetAllocatedBytesForCurrentThread();
            else if (logs.Batch == toBatch)
            {
                Allocated = GC.GetAllocatedBytesForCurrentThread() - _start;
                Steps = toBatch - fromBatch;
            }
        }
    }
}
