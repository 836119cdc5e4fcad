using Nabla.Data;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Nn;

public class ConvTrainingTests
{
    [Fact]
    public void Small_cnn_learns_fashion_mnist_subset_to_at_least_80_percent_in_two_epochs()
    {
        // 4000 training images, 1000 test images, fixed seed: a real-data check that conv, pooling,
        // batch norm and their gradients work together through Fit (an untrained net scores ~10%;
        // this run measured 0.833, the bound leaves a few points for other thread counts).
        static string F(string name) => TestData.Path_("fashion-mnist", name);
        var train = IdxImages.Load(F("train-images-idx3-ubyte.gz"), F("train-labels-idx1-ubyte.gz"), flatten: false, limit: 4000);
        var test = IdxImages.Load(F("t10k-images-idx3-ubyte.gz"), F("t10k-labels-idx1-ubyte.gz"), flatten: false, limit: 1000);
        var rng = new Rng(11);
        var model = new Sequential(
            new Conv2d(1, 8, 3, rng, padding: 1), new ReLU(), new MaxPool2d(2),
            new Conv2d(8, 16, 3, rng, padding: 1), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Dense(16 * 7 * 7, 10, rng));

        model.Fit(new DataLoader(train, 50, shuffle: true, rng: rng), new Adam(model.Parameters(), 2e-3f), new CrossEntropyLoss(),
            epochs: 2);
        var result = model.Evaluate(new DataLoader(test, 500), null, [new Accuracy()]);

        double accuracy = result.Metrics["accuracy"];
        Assert.True(accuracy >= 0.80, $"test accuracy {accuracy:F3} is below 0.80");
    }
}
