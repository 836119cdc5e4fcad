using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 8: a small convolutional network on Fashion-MNIST images [N, 1, 28, 28]: 3×3 filters shared across
/// the image, max pooling, then a dense classifier — against a dense network with about as many parameters.
/// </summary>
public sealed class Cnn : Tutorial
{
    public override string Number => "08";
    public override string Slug => "cnn";
    public override string Title => "Convolutional networks";
    public override string Headline => "cnn_test_accuracy";
    public override double Floor => 0.75;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var train = IdxImages.Load(context.Data("fashion-mnist", "train-images-idx3-ubyte.gz"), context.Data("fashion-mnist", "train-labels-idx1-ubyte.gz"), flatten: false, limit: 4000);
        var test = IdxImages.Load(context.Data("fashion-mnist", "t10k-images-idx3-ubyte.gz"), context.Data("fashion-mnist", "t10k-labels-idx1-ubyte.gz"), flatten: false, limit: 1000);
        o.WriteLine($"Fashion-MNIST: {train.Count} training and {test.Count} test images [1, 28, 28]");

        var rng = new Rng(8);
        var cnn = new Sequential(
            new Conv2d(1, 8, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),     // [N, 8, 14, 14], weights [8, 1, 3, 3]
            new Conv2d(8, 16, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),    // [N, 16, 7, 7]
            new Flatten(), new Dense(784, 10, rng));
        var mlp = new Sequential(new Flatten(), new Dense(784, 10, rng), new ReLU(), new Dense(10, 10, rng));
        o.WriteLine(cnn.Summary(new Shape(1, 1, 28, 28)));

        var figures = new List<KeyValuePair<string, object>>();
        foreach (var (name, model) in new[] { ("dense 784-10-10", mlp), ("cnn", cnn) })
        {
            var history = model.Fit(new DataLoader(train, 64, shuffle: true, rng: new Rng(9)), new Adam(model.Parameters(), 2e-3f), new CrossEntropyLoss(), epochs: 3);
            var accuracy = model.Evaluate(new DataLoader(test, 500), new CrossEntropyLoss(), [new Accuracy()]).Metrics["accuracy"];
            long parameters = model.Parameters().Sum(p => (long)p.Numel);
            o.WriteLine($"{name,-16} {parameters,6:N0} parameters, final training loss {F(history.Loss[^1])}, test accuracy {F(accuracy)}");
            figures.Add(Figure(name == "cnn" ? "cnn_test_accuracy" : "dense_test_accuracy", accuracy));
        }
        return figures;
    }
}
