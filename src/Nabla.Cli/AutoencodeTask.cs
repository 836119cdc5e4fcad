using Nabla.Autograd;
using Nabla.Data;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla train --task autoencode</c>: the targets are the inputs, flattened to [N, F], and the model
/// learns to reconstruct them with mean squared error. It is trained as a regression from x to x: for
/// tabular data both sides are standardized with the training rows' statistics (so <c>predict</c>
/// gives reconstructions in the data's units) and the output layer is a linear <c>dense(F)</c>; for
/// images (pixels in [0, 1]) the output layer is <c>dense(F) sigmoid</c>, which keeps reconstructions
/// in the pixels' range. With <c>--noise σ</c> every training batch's inputs get fresh Gaussian noise
/// N(0, σ²) (images: clipped to [0, 1]) while the targets stay clean: a denoising autoencoder.
/// Validation and test inputs are clean.
/// </summary>
internal static class AutoencodeTask
{
    /// <summary>The <c>--task</c> word.</summary>
    public const string Name = "autoencode";

    /// <summary>True when <paramref name="task"/> is <c>autoencode</c>.</summary>
    public static bool Named(string? task) => string.Equals(task?.Trim(), Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The data with targets replaced by the inputs (a regression with F outputs).</summary>
    /// <exception cref="UsageException">Text data.</exception>
    public static LoadedData Convert(LoadedData data)
    {
        if (data.Vectorizer is not null) throw new UsageException($"--task autoencode takes images or tabular data, not text ({data.Name})");
        int features = data.SampleShape.Aggregate(1, (a, b) => checked(a * b));
        return data with
        {
            Train = Reconstruct(data.Train, features),
            Test = Reconstruct(data.Test, features),
            Task = TaskKind.Regression,
            ClassNames = [],
            Outputs = features,
        };
    }

    /// <summary>The full SPEC for an autoencoder: <paramref name="completed"/> (output layer <c>dense(F)</c> added) and, for images, a sigmoid.</summary>
    public static string OutputSpec(string completed, bool images) => images ? completed + " sigmoid" : completed;

    /// <summary>Training data with noise on the inputs (<paramref name="std"/> &gt; 0), else <paramref name="train"/> itself.</summary>
    public static IDataset WithNoise(IDataset train, float std, bool images, ulong seed) =>
        std > 0 ? new NoisyInputs(train, std, images, new Rng(seed ^ 0xA0_70E4C0DE)) : train;

    /// <summary>
    /// Writes a grid of the first (up to) 10 test images (row 1), their noisy versions (with noise) and the
    /// model's reconstructions of what it was given (last row).
    /// </summary>
    public static void SaveReconstructions(string path, Module model, IDataset test, ModelInfo info, float noise, ulong seed)
    {
        int n = Math.Min(10, test.Count);
        using var scope = TensorScope.Begin();
        var clean = test.Gather([.. Enumerable.Range(0, n)]).Targets;
        var shown = WithNoise(test, noise, images: true, seed).Gather([.. Enumerable.Range(0, n)]).Inputs;
        Tensor reconstructed;
        using (GradMode.NoGrad())
        {
            model.Eval();
            reconstructed = model.Forward(shown);
        }
        int f = clean.Shape[1];
        var rows = new List<float[]> { clean.ToArray() };
        if (noise > 0) rows.Add(shown.Reshape(n, f).ToArray());
        rows.Add(reconstructed.ToArray());
        var all = Tensor.FromArray([.. rows.SelectMany(r => r)], rows.Count * n, f);
        var images = info.InputShape.Length == 4 ? all.Reshape(rows.Count * n, info.InputShape[1], info.InputShape[2], info.InputShape[3]) : all;
        ImageGrid.Save(path, images, columns: n);
    }

    private static IDataset Reconstruct(IDataset data, int features) => data switch
    {
        Dataset d => new Dataset(d.X, d.X),
        _ => new AutoencoderImages(data, features),
    };

    /// <summary>Images whose targets are the images themselves, flattened to [b, F] (what a dense output layer gives).</summary>
    internal sealed class AutoencoderImages(IDataset images, int features) : IDataset
    {
        public int Count => images.Count;

        public Batch Gather(ReadOnlySpan<int> indices)
        {
            var b = images.Gather(indices);
            return new Batch(b.Inputs, b.Inputs.Reshape(indices.Length, features));
        }

        /// <summary>The rows <paramref name="indices"/> (for the validation hold-out).</summary>
        public AutoencoderImages Subset(int[] indices) => new(Preparation.Subset(images, indices), features);
    }

    /// <summary>Inputs plus fresh noise N(0, σ²) per batch (images: clipped to [0, 1]); targets unchanged.</summary>
    private sealed class NoisyInputs(IDataset inner, float std, bool images, Rng rng) : IDataset
    {
        public int Count => inner.Count;

        public Batch Gather(ReadOnlySpan<int> indices)
        {
            var b = inner.Gather(indices);
            var noisy = b.Inputs + 0f; // a copy: the targets may share the inputs' buffer
            var v = noisy.AsSpan();
            for (int i = 0; i < v.Length; i++)
            {
                float x = v[i] + std * rng.NextGaussian();
                v[i] = images ? Math.Clamp(x, 0f, 1f) : x;
            }
            return new Batch(noisy, b.Targets);
        }
    }
}
