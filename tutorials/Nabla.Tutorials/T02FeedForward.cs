using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 2: a feed-forward network is layers y = f(x·Wᵀ + b) in a row. Each weight matrix is [out, in] (as
/// PyTorch's nn.Linear): row j holds the weights into unit j. The tutorial checks one layer's output against the
/// sum written out by hand, then trains 64-32-10 on the digits.
/// </summary>
public sealed class FeedForward : Tutorial
{
    public override string Number => "02";
    public override string Slug => "feed-forward";
    public override string Title => "A feed-forward network and its weight matrix [out, in]";
    public override string Headline => "test_accuracy";
    public override double Floor => 0.93;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var data = Digits.Load();
        o.WriteLine($"digits: {data.Train.Count} train, {data.Validation.Count} validation, {data.Test.Count} test images of 8×8 = 64 pixels, 10 classes");

        var rng = new Rng(0);
        var hidden = new Dense(64, 32, rng);
        var model = new Sequential(hidden, new ReLU(), new Dense(32, 10, rng));
        o.WriteLine($"hidden layer weight {hidden.Weight.Shape} = [out, in], bias {hidden.Bias!.Shape}");

        // Unit j of the hidden layer: net_j = Σ_i W[j, i]·x_i + b_j — row j of W, dotted with the input.
        var x = data.Train.X.Rows(0, 1);
        float[] net;
        using (GradMode.NoGrad()) net = hidden.Forward(x).ToArray();
        var w = hidden.Weight.ToArray();
        var b = hidden.Bias.ToArray();
        var xs = x.ToArray();
        double largestDifference = 0;
        for (int j = 0; j < 32; j++)
        {
            double sum = b[j];
            for (int i = 0; i < 64; i++) sum += (double)w[j * 64 + i] * xs[i];
            largestDifference = Math.Max(largestDifference, Math.Abs(sum - net[j]));
        }
        o.WriteLine($"net input of unit 0 by hand: Σ W[0, i]·x_i + b_0 = {F(Dot(w, xs, b[0]))}; layer output: {F(net[0])}");
        o.WriteLine($"largest difference over the 32 units: {largestDifference:G2} (float32 rounding)");
        o.WriteLine(model.Summary(new Shape(1, 64)));

        var history = model.Fit(data.Train.X, data.Train.Y, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss(),
            epochs: 20, batchSize: 32, validationData: (data.Validation.X, data.Validation.Y), metrics: [new Accuracy()], rng: new Rng(1));
        foreach (var e in history.Epochs.Where(e => (e.Epoch + 1) % 5 == 0))
            o.WriteLine($"epoch {e.Epoch + 1,2}: loss {F(e.Loss)}, val_loss {F(e.ValidationLoss)}, val_accuracy {F(e["val_accuracy"])}");
        var result = model.Evaluate(data.Test.X, data.Test.Y, new CrossEntropyLoss(), [new Accuracy()]);
        o.WriteLine($"test accuracy {F(result.Metrics["accuracy"])}");
        return
        [
            Figure("parameters", model.Parameters().Sum(p => p.Numel)),
            Figure("hand_vs_layer_max_difference", largestDifference, 7),
            Figure("test_accuracy", result.Metrics["accuracy"]),
        ];
    }

    private static double Dot(float[] w, float[] x, float b)
    {
        double sum = b;
        for (int i = 0; i < x.Length; i++) sum += (double)w[i] * x[i];
        return sum;
    }
}
