using Nabla.Autograd;
using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Tutorials;

/// <summary>
/// Lecture 6: an autoencoder squeezes each 784-pixel Fashion-MNIST image through a 32-number code and rebuilds it;
/// the only target is the input itself (an <see cref="ImageDataset"/> without labels serves images as their own
/// targets). Compared with the best code-free guess, the mean training image; writes originals over reconstructions.
/// </summary>
public sealed class Autoencoders : Tutorial
{
    public override string Number => "06";
    public override string Slug => "autoencoders";
    public override string Title => "Autoencoders";
    public override string Headline => "mse_ratio_to_mean_image";
    public override double Floor => 0.35;
    public override bool HigherIsBetter => false;

    public override IReadOnlyList<KeyValuePair<string, object>> Run(TutorialContext context)
    {
        var o = context.Out;
        var train = IdxImages.Load(context.Data("fashion-mnist", "train-images-idx3-ubyte.gz"), null, limit: 5000);
        var testImages = IdxImages.Load(context.Data("fashion-mnist", "t10k-images-idx3-ubyte.gz"), null, limit: 1000);
        var test = testImages.Gather([.. Enumerable.Range(0, testImages.Count)]).Inputs;
        o.WriteLine($"Fashion-MNIST: {train.Count} training and {testImages.Count} test images, 784 pixels in [0, 1]; targets = inputs: {train.TargetIsInput}");

        var rng = new Rng(5);
        var encoder = new Sequential(new Dense(784, 128, rng), new ReLU(), new Dense(128, 32, rng), new ReLU());
        var decoder = new Sequential(new Dense(32, 128, rng), new ReLU(), new Dense(128, 784, rng), new Sigmoid());
        var model = new Sequential(encoder, decoder);
        var history = model.Fit(new DataLoader(train, 64, shuffle: true, rng: new Rng(6)), new Adam(model.Parameters(), 2e-3f), new MSELoss(), epochs: 8);
        for (int e = 0; e < history.Epochs.Count; e += 2) o.WriteLine($"epoch {e + 1}: reconstruction MSE {F(history.Loss[e])}");

        model.Eval();
        Tensor reconstructed, code;
        using (GradMode.NoGrad())
        {
            code = encoder.Forward(test);
            reconstructed = decoder.Forward(code);
        }
        double mse = Mse(reconstructed.ToArray(), test.ToArray());
        var trainPixels = train.Gather([.. Enumerable.Range(0, train.Count)]).Inputs;
        var mean = trainPixels.Mean(0).ToArray();
        var testPixels = test.ToArray();
        double meanMse = 0;
        for (int i = 0; i < testPixels.Length; i++) meanMse += Math.Pow(testPixels[i] - mean[i % 784], 2);
        meanMse /= testPixels.Length;
        o.WriteLine($"test MSE: autoencoder {F(mse)} with a code of {code.Shape[1]} numbers per image; mean training image {F(meanMse)}; ratio {F(mse / meanMse)}");

        var pairs = Tensor.Concat([test.Rows(0, 10), reconstructed.Rows(0, 10)], 0);
        ImageGrid.Save(context.Output("06-reconstructions.png"), pairs, columns: 10);
        o.WriteLine("wrote 06-reconstructions.png (top: test images, bottom: reconstructions)");
        return
        [
            Figure("test_mse", mse),
            Figure("mean_image_mse", meanMse),
            Figure("mse_ratio_to_mean_image", mse / meanMse),
        ];
    }

    private static double Mse(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)(a[i] - b[i]) * (a[i] - b[i]);
        return sum / a.Length;
    }
}
