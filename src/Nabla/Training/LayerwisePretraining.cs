using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Optim;
using Nabla.Tensors;

namespace Nabla.Training;

/// <summary>
/// Greedy layer-wise pre-training of a deep multilayer perceptron as stacked autoencoders (Bengio et al.
/// 2007, "easier to train one layer at a time"): hidden layer k, with the activation and other
/// parameter-free layers after it, is trained with a temporary linear decoder to reconstruct its own input
/// h_{k−1} — the output of the layers below, already pre-trained — by minimizing the mean of
/// (decoder(layer_k(h_{k−1})) − h_{k−1})²; no labels are used. The output layer is left alone, and
/// supervised fine-tuning (<c>model.Fit</c> on the labelled rows) then trains the whole network from these weights.
/// </summary>
/// <example><code>
/// var mlp = new Sequential(new Dense(784, 256, rng), new ReLU(), new Dense(256, 128, rng), new ReLU(), new Dense(128, 10, rng));
/// LayerwisePretraining.Pretrain(mlp, unlabelled, p => new Adam(p, 1e-3f), epochs: 3, rng);
/// mlp.Fit(labelledX, labelledY, new Adam(mlp.Parameters(), 1e-3f), new CrossEntropyLoss(), epochs: 20);
/// </code></example>
public static class LayerwisePretraining
{
    /// <summary>
    /// Pre-trains every <see cref="Dense"/> layer of <paramref name="model"/> but the last, bottom-up; returns
    /// each one's reconstruction loss per epoch (one history per pre-trained layer).
    /// </summary>
    /// <param name="model">A built MLP: dense layers, each followed by activations, dropout or other parameter-free layers.</param>
    /// <param name="x">Unlabelled inputs [N, features].</param>
    /// <param name="optimizer">Makes the optimizer for one autoencoder's parameters.</param>
    /// <param name="epochs">Epochs per layer.</param>
    /// <param name="rng">Seeds the decoders' initial weights and the shuffling.</param>
    /// <param name="batchSize">Rows per step.</param>
    /// <exception cref="ArgumentException">The model has a parameterized layer other than <see cref="Dense"/>, or fewer than two dense layers.</exception>
    public static IReadOnlyList<History> Pretrain(Sequential model, Tensor x, Func<IEnumerable<Tensor>, Optimizer> optimizer, int epochs, Rng rng,
        int batchSize = FitDefaults.BatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(rng);
        var starts = new List<int>();
        for (int i = 0; i < model.Count; i++)
        {
            if (model[i] is Dense) starts.Add(i);
            else if (model[i].Parameters().Any())
                throw new ArgumentException($"layer-wise pre-training takes dense layers and parameter-free layers; layer {i} is {model[i].Describe()}", nameof(model));
        }
        if (starts.Count < 2) throw new ArgumentException($"layer-wise pre-training needs hidden dense layers below the output layer; the model has {starts.Count} dense layer(s)", nameof(model));
        var histories = new List<History>();
        var input = x;
        for (int k = 0; k + 1 < starts.Count; k++)
        {
            var dense = (Dense)model[starts[k]];
            var block = model[starts[k]..starts[k + 1]];
            var autoencoder = new Sequential(block, new Dense(dense.OutFeatures, dense.InFeatures, rng));
            histories.Add(autoencoder.Fit(input, input, optimizer(autoencoder.Parameters()), new MSELoss(), epochs, batchSize: batchSize, rng: rng));
            input = block.Predict(input, batchSize);
        }
        return histories;
    }
}
