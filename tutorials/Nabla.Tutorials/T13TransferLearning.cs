using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 13: transfer learning on the digits. A network trained to name digits (0–9, on half the training
/// images) loses its head; its frozen base feeds a new head for a new task — is the digit odd or even? — learned
/// from 10 labelled images, against the same network trained from scratch on those 10. Then the same recipe where
/// it does not pay: a base trained on 0–4 only, a new head for 5–9 from 5 images per class.
/// </summary>
public sealed class TransferLearning : Tutorial
{
    public override string Number => "13";
    public override string Slug => "transfer-learning";
    public override string Title => "Transfer learning";
    public override string Headline => "parity_transfer_accuracy";
    public override double Floor => 0.85;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var data = Digits.Load();
        int half = data.Train.Count / 2;
        var source = data.Train.Subset([.. Enumerable.Range(0, half)]);
        var rest = data.Train.Subset([.. Enumerable.Range(half, data.Train.Count - half)]);

        // A: the base names digits; the new task is parity, from one labelled image per digit.
        var trained = Train(Network(10, new Rng(13)), source, epochs: 20, lr: 1e-3f, batchSize: 32);
        o.WriteLine($"base trained on {source.Count} images to name the digit: test accuracy {F(Accuracy(trained, data.Test))}");
        var parity = Relabel(Select(rest, _ => true, perClass: 1), label => label % 2);
        var parityTest = Relabel(data.Test, label => label % 2);
        var body = trained[..^1].Freeze();                            // drop the old head; keep the base fixed
        var transfer = new Sequential(body, new Dense(32, 2, new Rng(17)));   // a new head, the only part trained
        Train(transfer, parity, epochs: 100, lr: 1e-2f, batchSize: 10);
        var scratch = Train(Network(2, new Rng(16)), parity, epochs: 100, lr: 1e-2f, batchSize: 10);
        int headParameters = transfer.Parameters().Where(p => p.RequiresGrad).Sum(p => p.Numel);
        double parityTransfer = Accuracy(transfer, parityTest), parityScratch = Accuracy(scratch, parityTest);
        o.WriteLine($"odd or even from {parity.Count} labelled images, tested on {parityTest.Count}:");
        o.WriteLine($"  frozen base + new head ({headParameters} trained parameters)  {F(parityTransfer)}");
        o.WriteLine($"  same network from scratch ({scratch.Parameters().Sum(p => p.Numel)} trained parameters) {F(parityScratch)}");

        // B: a base that never saw 5–9; its features do not separate them.
        var low = Relabel(Select(data.Train, label => label < 5, int.MaxValue), label => label);
        var highFew = Relabel(Select(data.Train, label => label >= 5, perClass: 5), label => label - 5);
        var highTest = Relabel(Select(data.Test, label => label >= 5, int.MaxValue), label => label - 5);
        var lowBase = Train(Network(5, new Rng(13)), low, epochs: 20, lr: 1e-3f, batchSize: 32);
        var newClasses = new Sequential(lowBase[..^1].Freeze(), new Dense(32, 5, new Rng(17)));
        Train(newClasses, highFew, epochs: 100, lr: 1e-2f, batchSize: 25);
        var newScratch = Train(Network(5, new Rng(16)), highFew, epochs: 100, lr: 1e-2f, batchSize: 25);
        double newTransfer = Accuracy(newClasses, highTest), newFromScratch = Accuracy(newScratch, highTest);
        o.WriteLine($"5–9 from {highFew.Count} images with a base trained on the {low.Count} images of 0–4, tested on {highTest.Count}:");
        o.WriteLine($"  frozen base + new head {F(newTransfer)}; from scratch {F(newFromScratch)}");
        return
        [
            Figure("parity_transfer_accuracy", parityTransfer),
            Figure("parity_scratch_accuracy", parityScratch),
            Figure("new_classes_transfer_accuracy", newTransfer),
            Figure("new_classes_scratch_accuracy", newFromScratch),
        ];
    }

    private static Sequential Network(int outputs, Rng rng) =>
        new(new Dense(64, 64, rng), new ReLU(), new Dense(64, 32, rng), new ReLU(), new Dense(32, outputs, rng));

    private static Sequential Train(Sequential model, Dataset d, int epochs, float lr, int batchSize)
    {
        model.Fit(d.X, d.Y, new Adam(model.Parameters(), lr), new CrossEntropyLoss(), epochs: epochs, batchSize: batchSize, rng: new Rng(15));
        return model;
    }

    // The rows whose class passes `keep`, at most `perClass` of each.
    private static Dataset Select(Dataset d, Func<int, bool> keep, int perClass)
    {
        var labels = d.Y.ToArray();
        var counts = new int[10];
        var rows = new List<int>();
        for (int i = 0; i < labels.Length; i++)
        {
            int label = (int)labels[i];
            if (keep(label) && counts[label]++ < perClass) rows.Add(i);
        }
        return d.Subset([.. rows]);
    }

    private static Dataset Relabel(Dataset d, Func<int, int> map)
    {
        var y = d.Y.ToArray().Select(v => (float)map((int)v)).ToArray();
        return new Dataset(d.X, Tensor.FromArray(y, y.Length));
    }

    private static double Accuracy(Module model, Dataset d) => model.Evaluate(d.X, d.Y, null, [new Accuracy()]).Metrics["accuracy"];
}
