using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;

namespace Nabla.Tests.Training;

/// <summary>Fit, Evaluate and Predict stop on a <see cref="CancellationToken"/> and report through <see cref="IProgress{T}"/>.</summary>
[Collection(ProcessWideStateCollection.Name)]
public sealed class CancellationTests
{
    private sealed class Recorder : IProgress<EpochLogs>
    {
        public List<EpochLogs> Reports { get; } = [];

        public void Report(EpochLogs value) => Reports.Add(value);
    }

    /// <summary>Cancels its source after <paramref name="batches"/> batches, as a UI's stop button would.</summary>
    private sealed class CancelAfter(CancellationTokenSource source, int batches) : Callback
    {
        private int _seen;

        public override void OnBatchEnd(in BatchLogs logs)
        {
            if (++_seen == batches) source.Cancel();
        }
    }

    private static (Tensor X, Tensor Y, Sequential Model) Problem()
    {
        var rng = new Rng(7);
        var x = Tensor.Randn(new Shape(64, 3), rng);
        var y = Tensor.FromArray([.. Enumerable.Range(0, 64).Select(i => (float)(i % 2))], 64);
        return (x, y, new Sequential(new Dense(3, 8, rng), new ReLU(), new Dense(8, 2, rng)));
    }

    [Fact]
    public void Fit_reports_each_epoch_to_the_progress_receiver()
    {
        var (x, y, model) = Problem();
        var progress = new Recorder();
        var history = model.Fit(x, y, new SGD(model.Parameters(), 0.1), new CrossEntropyLoss(), epochs: 3, batchSize: 16, progress: progress);
        Assert.Equal([0, 1, 2], progress.Reports.Select(r => r.Epoch));
        Assert.Equal(history.Loss, progress.Reports.Select(r => r["loss"]));
    }

    [Fact]
    public void Fit_stops_between_steps_runs_the_end_callbacks_and_throws()
    {
        var (x, y, model) = Problem();
        using var source = new CancellationTokenSource();
        var optimizer = new SGD(model.Parameters(), 0.1);
        var progress = new Recorder();
        var stopping = new EarlyStopping("loss", patience: 100, restoreBestWeights: true);
        // 4 batches per epoch: cancelled in the second epoch's second batch.
        Assert.Throws<OperationCanceledException>(() => model.Fit(x, y, optimizer, new CrossEntropyLoss(), epochs: 10, batchSize: 16,
            callbacks: [new CancelAfter(source, 6), stopping], progress: progress, cancellationToken: source.Token));
        Assert.Equal(6, optimizer.StepCount);
        Assert.Single(progress.Reports); // the unfinished epoch is not logged
        Assert.True(model.IsTraining);
        // OnTrainEnd ran: the best epoch's weights (epoch 0, the only one finished) are back in the model.
        var after = model.Evaluate(x, y, new CrossEntropyLoss()).Loss;
        Assert.Equal(progress.Reports[0]["loss"], after, 0.2);
    }

    [Fact]
    public void Evaluate_and_predict_stop_on_a_cancelled_token_and_restore_the_mode()
    {
        var (x, y, model) = Problem();
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.Throws<OperationCanceledException>(() => model.Evaluate(x, y, new CrossEntropyLoss(), cancellationToken: source.Token));
        Assert.True(model.IsTraining);
        Assert.Throws<OperationCanceledException>(() => model.Predict(x, 16, source.Token));
        Assert.True(model.IsTraining);
        Assert.Equal(64, model.Predict(x, 16, CancellationToken.None).Shape[0]);
    }
}
