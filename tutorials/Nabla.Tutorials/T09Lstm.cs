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
/// Lecture 9: an LSTM reads each 8×8 digit one pixel row at a time — a sequence of 8 steps of 8 features — and
/// classifies it from its last hidden state; its gates decide what each row adds to the memory cell.
/// </summary>
public sealed class Lstm : Tutorial
{
    public override string Number => "09";
    public override string Slug => "lstm";
    public override string Title => "Recurrent networks: LSTMs";
    public override string Headline => "test_accuracy";
    public override double Floor => 0.9;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var data = Digits.Load();
        Tensor Rows(Dataset d) => d.X.Reshape(d.Count, 8, 8);   // [N, T = 8 rows, 8 pixels per row]
        o.WriteLine($"digits as sequences: train {Rows(data.Train).Shape}, test {Rows(data.Test).Shape}");

        var rng = new Rng(9);
        var lstm = new LSTM(inputSize: 8, hiddenSize: 32, rng);                 // returns the last step: [N, 32]
        var model = new Sequential(lstm, new Dense(32, 10, rng));
        foreach (var (name, p) in lstm.NamedParameters()) o.WriteLine($"  {name,-14} {p.Shape}");   // gates i, f, g, o stacked: [4·32, …]
        var history = model.Fit(Rows(data.Train), data.Train.Y, new Adam(model.Parameters(), 5e-3f), new CrossEntropyLoss(),
            epochs: 20, batchSize: 32, validationData: (Rows(data.Validation), data.Validation.Y), metrics: [new Accuracy()], rng: new Rng(10));
        foreach (var e in history.Epochs.Where(e => (e.Epoch + 1) % 5 == 0))
            o.WriteLine($"epoch {e.Epoch + 1,2}: loss {F(e.Loss)}, val_accuracy {F(e["val_accuracy"])}");
        var accuracy = model.Evaluate(Rows(data.Test), data.Test.Y, new CrossEntropyLoss(), [new Accuracy()]).Metrics["accuracy"];
        o.WriteLine($"test accuracy {F(accuracy)}");
        return [Figure("test_accuracy", accuracy)];
    }
}
