using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 10: the same row-by-row digits as tutorial 9, read by self-attention instead of recurrence — every row
/// looks at every other row at once; positional encodings tell the rows apart, since attention itself ignores order.
/// </summary>
public sealed class Transformers : Tutorial
{
    public override string Number => "10";
    public override string Slug => "transformers";
    public override string Title => "Transformers";
    public override string Headline => "test_accuracy";
    public override double Floor => 0.9;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var data = Digits.Load();
        Tensor Rows(Dataset d) => d.X.Reshape(d.Count, 8, 8);

        var rng = new Rng(10);
        var model = new Sequential(
            new Dense(8, 32, rng),                                         // each row → a 32-number token, [N, 8, 32]
            new LearnedPositionalEncoding(32, maxLength: 8, rng),          // + a learned vector per row position
            new TransformerEncoderLayer(32, 4, rng, dimFeedforward: 64, dropout: 0f),   // 4 heads of 8
            new GlobalAveragePooling1D(),                                  // mean over the 8 tokens → [N, 32]
            new Dense(32, 10, rng));
        o.WriteLine(model.Summary(new Shape(1, 8, 8)));
        var history = model.Fit(Rows(data.Train), data.Train.Y, new Adam(model.Parameters(), 3e-3f), new CrossEntropyLoss(),
            epochs: 20, batchSize: 32, validationData: (Rows(data.Validation), data.Validation.Y), metrics: [new Accuracy()], rng: new Rng(11));
        foreach (var e in history.Epochs.Where(e => (e.Epoch + 1) % 5 == 0))
            o.WriteLine($"epoch {e.Epoch + 1,2}: loss {F(e.Loss)}, val_accuracy {F(e["val_accuracy"])}");
        var accuracy = model.Evaluate(Rows(data.Test), data.Test.Y, new CrossEntropyLoss(), [new Accuracy()]).Metrics["accuracy"];
        o.WriteLine($"test accuracy {F(accuracy)}");
        return [Figure("test_accuracy", accuracy)];
    }
}
