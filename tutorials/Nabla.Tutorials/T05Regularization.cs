using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Optim.Schedules;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Callbacks;
using Nabla.Training.Metrics;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 5: a 64-128-128-10 network trained on only 200 digits overfits — training loss near zero, validation
/// loss rising. Dropout, L2 weight decay, batch normalization, early stopping and learning-rate decay, each
/// added alone to the same run (same seed), against that baseline.
/// </summary>
public sealed class Regularization : Tutorial
{
    public override string Number => "05";
    public override string Slug => "regularization";
    public override string Title => "Regularization, batch norm, early stopping, learning-rate decay";
    public override string Headline => "best_regularized_test_accuracy";
    public override double Floor => 0.85;

    private const int Epochs = 60, TrainRows = 200;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var full = Digits.Load();
        var train = full.Train.Subset([.. Enumerable.Range(0, TrainRows)]);
        o.WriteLine($"digits: {train.Count} training images (of {full.Train.Count}), {full.Validation.Count} validation, {full.Test.Count} test; {Epochs} epochs, Adam 1e-3, batch 32");
        o.WriteLine($"  {"variant",-34} {"train loss",10} {"best val",9} {"last val",9} {"best at",8} {"epochs",6} {"test acc",8}");
        var accuracies = new List<KeyValuePair<string, object>>();
        double best = 0;
        foreach (var variant in Variants())
        {
            var rng = new Rng(11);
            var model = variant.Model(rng);
            var optimizer = new Adam(model.Parameters(), 1e-3f, weightDecay: variant.WeightDecay);
            var history = model.Fit(train.X, train.Y, optimizer, new CrossEntropyLoss(), epochs: Epochs, batchSize: 32,
                validationData: (full.Validation.X, full.Validation.Y), callbacks: variant.Callbacks(optimizer), rng: new Rng(12));
            var test = model.Evaluate(full.Test.X, full.Test.Y, new CrossEntropyLoss(), [new Accuracy()]).Metrics["accuracy"];
            var validation = history.ValidationLoss;
            o.WriteLine($"  {variant.Name,-34} {F(history.Loss[^1]),10} {F(validation.Min()),9} {F(validation[^1]),9} {validation.ToList().IndexOf(validation.Min()) + 1,8} {history.Epochs.Count,6} {F(test),8}");
            accuracies.Add(Figure(variant.Key + "_test_accuracy", test));
            if (variant.Key != "baseline") best = Math.Max(best, test);
        }
        accuracies.Add(Figure("best_regularized_test_accuracy", best));
        return accuracies;
    }

    private sealed record Variant(string Key, string Name, Func<Rng, Sequential> Model, float WeightDecay, Func<Optimizer, Callback[]> Callbacks);

    private static IEnumerable<Variant> Variants()
    {
        static Sequential Plain(Rng rng) => new(new Dense(64, 128, rng), new ReLU(), new Dense(128, 128, rng), new ReLU(), new Dense(128, 10, rng));
        static Callback[] None(Optimizer _) => [];
        yield return new("baseline", "baseline (no regularization)", Plain, 0f, None);
        yield return new("dropout", "dropout 0.5 after each hidden layer", rng => new Sequential(
            new Dense(64, 128, rng), new ReLU(), new Dropout(0.5f, rng), new Dense(128, 128, rng), new ReLU(), new Dropout(0.5f, rng), new Dense(128, 10, rng)), 0f, None);
        yield return new("weight_decay", "L2 weight decay 0.01 (Adam)", Plain, 0.01f, None);
        yield return new("batch_norm", "batch norm after each hidden layer", rng => new Sequential(
            new Dense(64, 128, rng), new BatchNorm1d(128), new ReLU(), new Dense(128, 128, rng), new BatchNorm1d(128), new ReLU(), new Dense(128, 10, rng)), 0f, None);
        yield return new("early_stopping", "early stopping (patience 5, best)", Plain, 0f,
            _ => [new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true)]);
        yield return new("lr_decay", "learning rate × 0.5 every 10 epochs", Plain, 0f,
            optimizer => [new LearningRateScheduler(new StepLR(optimizer, stepSize: 10, gamma: 0.5f).Step)]);
    }
}
