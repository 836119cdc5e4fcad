using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

/// <summary>
/// Fit's side of data-parallel training, without MPI: a model that stands for a job of identical
/// processes (its <see cref="IDataParallelModule.SumOverProcesses"/> multiplies by their number), and
/// loaders whose shard is empty. The MPI side is in Distributed/DistributedTrainingTests.
/// </summary>
public class DataParallelFitTests
{
    /// <summary>A module that forwards to its inner model and sums figures over <c>copies</c> identical processes.</summary>
    private sealed class Replicated(Module inner, int copies) : Module, IDataParallelModule
    {
        public int Calls { get; private set; }

        public override Tensor Forward(Tensor input) => inner.Forward(input);

        public void SumOverProcesses(Span<double> values)
        {
            Calls++;
            foreach (ref var v in values) v *= copies;
        }
    }

    private static (Dataset Train, Dataset Validation) Data()
    {
        var rng = new Rng(3);
        var x = Tensor.Randn(new Shape(90, 4), rng);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 90).Select(i => (float)(i % 3))], 90);
        var all = new Dataset(x, y);
        return (all.Subset([.. Enumerable.Range(0, 70)]), all.Subset([.. Enumerable.Range(70, 20)]));
    }

    private static History Train(bool replicated, out int calls)
    {
        var (train, validation) = Data();
        var rng = new Rng(5);
        var model = new Sequential(new Dense(4, 8, rng), new ReLU(), new Dense(8, 3, rng));
        var wrapper = new Replicated(model, 3);
        Module trained = replicated ? wrapper : model;
        var history = trained.Fit(new DataLoader(train, 16, shuffle: true, rng: new Rng(9)), new Adam(model.Parameters(), 1e-2f), new CrossEntropyLoss(),
            epochs: 3, validation: new DataLoader(validation, 16), metrics: [new Accuracy(), new F1Score(3)]);
        calls = wrapper.Calls;
        return history;
    }

    [Fact]
    public void Fit_sums_loss_and_metric_states_over_the_processes_and_logs_the_same_figures()
    {
        var plain = Train(replicated: false, out _);
        var parallel = Train(replicated: true, out int calls);
        Assert.Equal(3 * 3, calls); // per epoch: training figures, validation figures, the stop flag
        foreach (var key in new[] { "loss", "accuracy", "macro_f1", "val_loss", "val_accuracy", "val_macro_f1" })
            for (int e = 0; e < 3; e++)
                Assert.Equal(plain.Epochs[e][key], parallel.Epochs[e][key], 12);
    }

    [Fact]
    public void A_metric_without_summable_state_is_refused_for_data_parallel_training()
    {
        var rng = new Rng(1);
        var model = new Replicated(new Dense(4, 3, rng), 2);
        var (train, _) = Data();
        var e = Assert.Throws<ArgumentException>(() => model.Evaluate(new DataLoader(train, 8), new CrossEntropyLoss(), [new OpaqueMetric()]));
        Assert.Contains("opaque", e.Message, StringComparison.Ordinal);
    }

    private sealed class OpaqueMetric : Metric
    {
        public override string Name => "opaque";
        public override void Reset() { }
        public override void Update(Tensor prediction, Tensor target) { }
        public override double Result => 0;
    }

    [Fact]
    public void A_process_whose_part_of_every_batch_is_empty_still_takes_every_step()
    {
        var (train, _) = Data();
        var rng = new Rng(2);
        var model = new Dense(4, 3, rng);
        var optimizer = new SGD(model.Parameters(), 0.1f);
        int hooks = 0;
        optimizer.BeforeStep += _ => hooks++;
        var before = model.Weight.ToArray();
        // Batches of one sample split over two processes: process 0's part is always empty.
        var loader = new DataLoader(train, 1, shard: new DataShard(0, 2));
        Assert.Equal(0, loader.SampleCount);
        model.Fit(loader, optimizer, new CrossEntropyLoss(), epochs: 1);
        Assert.Equal(train.Count, optimizer.StepCount);
        Assert.Equal(train.Count, hooks);
        Assert.Equal(before, model.Weight.ToArray()); // no gradient of its own, and no partner here to add one
    }

    [Fact]
    public void Summable_states_of_two_halves_add_up_to_the_state_over_all_rows()
    {
        var rng = new Rng(4);
        var scores = Tensor.Randn(new Shape(40, 3), rng);
        var targets = Tensor.FromArray([.. Enumerable.Range(0, 40).Select(i => (float)(i * 7 % 3))], 40);
        var values = Tensor.Randn(new Shape(40, 2), rng);
        var actual = Tensor.Randn(new Shape(40, 2), rng);
        Func<Metric>[] kinds = [() => new Accuracy(), () => new TopKAccuracy(2), () => new F1Score(3, Averaging.Micro), () => new MeanSquaredError(), () => new R2Score()];
        foreach (var make in kinds)
        {
            bool regression = make() is RegressionMetric;
            var (p, t) = regression ? (values, actual) : (scores, targets);
            var whole = make();
            whole.Update(p, t);
            var first = make();
            var second = make();
            first.Update(p.Narrow(0, 0, 15).Contiguous(), t.Narrow(0, 0, 15).Contiguous());
            second.Update(p.Narrow(0, 15, 25).Contiguous(), t.Narrow(0, 15, 25).Contiguous());
            var a = new double[first.SummableStateLength];
            var b = new double[second.SummableStateLength];
            first.WriteSummableState(a);
            second.WriteSummableState(b);
            for (int i = 0; i < a.Length; i++) a[i] += b[i];
            var combined = make();
            combined.ReadSummableState(a);
            Assert.Equal(whole.Result, combined.Result, 9);
        }
    }

    [Fact]
    public void Token_metrics_of_two_halves_add_up_to_the_state_over_all_tokens()
    {
        var rng = new Rng(6);
        var scores = Tensor.Randn(new Shape(6, 5, 3), rng);
        // Every fourth token is padding (the ignore index), so the halves count different numbers of tokens.
        var targets = Tensor.FromArray([.. Enumerable.Range(0, 30).Select(i => i % 4 == 3 ? -100f : i * 5 % 3)], 6, 5);
        Func<Metric>[] kinds = [() => new TokenAccuracy(), () => new TokenF1(positiveClass: 1)];
        foreach (var make in kinds)
        {
            var whole = make();
            whole.Update(scores, targets);
            var first = make();
            var second = make();
            first.Update(scores.Narrow(0, 0, 2).Contiguous(), targets.Narrow(0, 0, 2).Contiguous());
            second.Update(scores.Narrow(0, 2, 4).Contiguous(), targets.Narrow(0, 2, 4).Contiguous());
            var a = new double[first.SummableStateLength];
            var b = new double[second.SummableStateLength];
            first.WriteSummableState(a);
            second.WriteSummableState(b);
            for (int i = 0; i < a.Length; i++) a[i] += b[i];
            var combined = make();
            combined.ReadSummableState(a);
            Assert.Equal(whole.Result, combined.Result, 12);
        }
    }
}
