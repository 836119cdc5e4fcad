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
    public void A_steady_state_training_step_on_a_data_loader_allocates_only_a_few_tensor_objects_whatever_the_batch_size()
    {
        long PerStep(int batch)
        {
            var rng = new Rng(5);
            var model = Mlp(rng);
            var (x, y) = Data(4 * batch, rng);
            var optimizer = new Adam(model.Parameters(), 1e-3f);
            var loss = new CrossEntropyLoss();
            var metrics = new Metric[] { new Accuracy() };
            var loader = new DataLoader(new Dataset(x, y), batch, shuffle: true, rng: rng);
            loader.StartEpoch();
            int i = 0;
            return Nabla.Tests.AllocationProbe.PerCall(() => TrainingStep.Run(model, loss, optimizer, loader, i++ % loader.BatchCount, metrics, out _), warmup: 10, calls: 50);
        }

        long small = PerStep(32), large = PerStep(128);
        // Every buffer is pooled: what a step allocates does not grow with the data it moves.
        Assert.Equal(small, large);
        Nabla.Tests.AllocationProbe.AtMostTensorObjects(large, 16, "an MLP training step");
    }

    [Fact]
    public void A_training_step_of_a_functional_model_with_an_auxiliary_output_allocates_only_a_few_tensor_objects_whatever_the_batch_size()
    {
        long PerStep(int batch)
        {
            var rng = new Rng(5);
            var input = FunctionalModel.Input(784);
            var h = new ReLU().Apply(new Dense(784, 128, rng).Apply(input));
            var aux = new Dense(128, 10, rng).Apply(h, "aux");
            var main = new Dense(128, 10, rng).Apply(new ReLU().Apply(new Dense(128, 128, rng).Apply(h)));
            var model = new FunctionalModel([input], [main, aux]);
            var (x, y) = Data(4 * batch, rng);
            var optimizer = new Adam(model.Parameters(), 1e-3f);
            var loss = new MultiOutputLoss([new CrossEntropyLoss(), new CrossEntropyLoss()], [1f, 0.3f]);
            var metrics = new Metric[] { new Accuracy() };
            var loader = new DataLoader(new Dataset(x, y), batch, shuffle: true, rng: rng);
            loader.StartEpoch();
            int i = 0;
            return Nabla.Tests.AllocationProbe.PerCall(() => TrainingStep.Run(model, loss, optimizer, loader, i++ % loader.BatchCount, metrics, out _), warmup: 10, calls: 50);
        }

        long small = PerStep(32), large = PerStep(128);
        Assert.Equal(small, large);
        Nabla.Tests.AllocationProbe.AtMostTensorObjects(large, 24, "a two-output functional model's training step");
    }

    [Fact]
    public void Fit_on_tensors_allocates_only_a_few_tensor_objects_per_batch()
    {
        // Fit(x, y) runs on DataLoader(Dataset(x, y)); the probe counts the bytes of every step of
        // the second epoch after its first batch: shuffled gathers, forward, backward, Adam, metric, logs.
        var rng = new Rng(6);
        var model = Mlp(rng);
        var (x, y) = Data(2048, rng);
        var probe = new StepBytes(epoch: 1, fromBatch: 0, toBatch: 15);
        model.Fit(x, y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 2, batchSize: 128,
            metrics: [new Accuracy()], callbacks: [probe], rng: rng);

        Assert.Equal(15, probe.Steps);
        Nabla.Tests.AllocationProbe.AtMostTensorObjects(probe.Allocated / probe.Steps, 16, "a Fit step");
    }

    /// <summary>Bytes this thread allocated from the end of one batch to the end of a later one in the same epoch.</summary>
    private sealed class StepBytes(int epoch, int fromBatch, int toBatch) : Callback
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
