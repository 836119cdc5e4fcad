using Nabla.Data;
using Nabla.Data.Text;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 7: the Keras text classifier — Embedding → GlobalAveragePooling1D → Dense — on the one-line
/// descriptions of Debian packages, predicting each package's section (58 classes), on the first 20,000 rows.
/// </summary>
public sealed class TextClassifier : Tutorial
{
    public override string Number => "07";
    public override string Slug => "text-classifier";
    public override string Title => "The Keras-style text classifier";
    public override string Headline => "test_accuracy";
    public override double Floor => 0.6;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var loaded = DataSpec.Load("text:" + context.Data("debian-packages.tsv.gz"), new DataOptions
        {
            TextColumn = "description", Label = "section", Seed = 0, Limit = 20_000,
            Vectorizer = new TextVectorization(maxTokens: 20_000, outputSequenceLength: 24),
        });
        var vectorizer = loaded.Vectorizer!;
        var train = (TextDataset)loaded.Train;
        var test = (TextDataset)loaded.Test;
        o.WriteLine($"{train.Count} training and {test.Count} test descriptions, {loaded.ClassNames.Count} sections, vocabulary {vectorizer.Vocabulary.Count} tokens (0 = padding, 1 = [UNK])");
        o.WriteLine($"\"{train.Texts![0]}\" → {string.Join(" ", train.Row(0).ToArray().Take(12))} …");

        var rng = new Rng(0);
        var model = new Sequential(
            new Embedding(vectorizer.Vocabulary.Count, 64, rng, paddingIdx: 0),   // ids [N, 24] → [N, 24, 64] + padding mask
            new GlobalAveragePooling1D(),                                           // mean over the real tokens → [N, 64]
            new Dense(64, 64, rng, activation: "relu"),
            new Dense(64, loaded.ClassNames.Count, rng));
        o.WriteLine(model.Summary(new Shape(1, 24)));
        var history = model.Fit(new DataLoader(train, 128, shuffle: true, rng: rng), new Adam(model.Parameters(), 1e-2f), new CrossEntropyLoss(),
            epochs: 3, metrics: [new Accuracy()]);
        foreach (var e in history.Epochs) o.WriteLine($"epoch {e.Epoch + 1}: loss {F(e.Loss)}, accuracy {F(e["accuracy"])}");
        var result = model.Evaluate(new DataLoader(test, 256), new CrossEntropyLoss(), [new Accuracy()]);
        int largest = (int)test.Targets.ToArray().GroupBy(c => c).Max(g => g.Count());
        o.WriteLine($"test accuracy {F(result.Metrics["accuracy"])} (always guessing the largest section: {F((double)largest / test.Count)})");
        return
        [
            Figure("majority_accuracy", (double)largest / test.Count),
            Figure("test_accuracy", result.Metrics["accuracy"]),
        ];
    }
}
