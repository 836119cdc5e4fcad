using Nabla.Autograd;
using Nabla.Data;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Training;

namespace Nabla.Cli;

/// <summary>
/// <c>nabla train --pretrain layerwise</c>: before supervised training, each hidden dense layer of a new
/// MLP is pre-trained as an autoencoder on the training inputs (<see cref="LayerwisePretraining"/>, no
/// labels), with the run's optimizer kind, learning rate, batch size and seed; then training goes on as usual.
/// </summary>
internal static class LayerwiseStep
{
    /// <summary>Pre-trains <paramref name="model"/> on <paramref name="train"/>'s inputs and reports each layer's last reconstruction loss.</summary>
    /// <exception cref="UsageException">A layer with parameters other than dense, or no hidden dense layer.</exception>
    public static void Run(CliContext ctx, bool json, Sequential model, IDataset train, TrainingSettings s, int epochs)
    {
        var dense = new List<int>();
        for (int i = 0; i < model.Count; i++)
        {
            if (model[i] is Dense) dense.Add(i);
            else if (model[i].Parameters().Any())
                throw new UsageException($"--pretrain layerwise pre-trains MLPs of dense layers; layer {i} of the model is {model[i].Describe()}");
        }
        if (dense.Count < 2)
            throw new UsageException("--pretrain layerwise needs hidden dense layers below the output layer; the model has none (give --model \"dense(256,relu) dense(128,relu)\" or similar)");
        var x = Preparation.All(train).X;
        if (x.Rank != 2) x = x.Reshape(x.Shape[0], -1);
        Optimizer Make(IEnumerable<Tensor> p) => s.Optimizer switch
        {
            "sgd" => new SGD(p, s.LearningRate, momentum: s.Momentum),
            "rmsprop" => new RMSprop(p, s.LearningRate, momentum: s.Momentum),
            "adagrad" => new Adagrad(p, s.LearningRate),
            _ => new Adam(p, s.LearningRate),
        };
        var histories = LayerwisePretraining.Pretrain(model, x, Make, epochs, new Rng(s.Seed + 2), s.BatchSize);
        if (json) return;
        for (int k = 0; k < histories.Count; k++)
            ctx.Out.WriteLine($"pretrain layer {dense[k]} ({((Dense)model[dense[k]]).InFeatures} → {((Dense)model[dense[k]]).OutFeatures}): reconstruction loss {ConsoleReport.F(histories[k].Epochs[^1].Loss)} after {epochs} epoch{(epochs == 1 ? "" : "s")}");
    }
}
