using System.CommandLine;

namespace Nabla.Cli;

/// <summary>
/// The options of <c>nabla train</c> that re-use or pre-train networks: transfer learning from a
/// saved model (<c>--from</c>, <c>--drop-last</c>, <c>--freeze</c>, <c>--base-lr-scale</c>), greedy
/// layer-wise pre-training (<c>--pretrain layerwise</c>) and the autoencoder's options
/// (<c>--noise</c>, <c>--reconstructions</c>; the task itself is <c>--task autoencode</c>).
/// </summary>
internal sealed class ReuseOptions
{
    public readonly Option<string?> From = new("--from") { Description = "Transfer learning: start from this trained model file, drop its last --drop-last layers and add --model layers and the output layer for the data's task", HelpName = "MODEL" };
    public readonly Option<int> DropLast = new("--drop-last") { Description = "With --from: how many of its last layers to drop (as nabla inspect numbers them; an activation is a layer)", DefaultValueFactory = _ => 1, HelpName = "K" };
    public readonly Option<bool> Freeze = new("--freeze") { Description = "With --from: keep the kept layers (the base) fixed; only the new layers train" };
    public readonly Option<float?> BaseLrScale = new("--base-lr-scale") { Description = "With --from (not --freeze): train the base at this fraction of --lr (fine-tuning), e.g. 0.1", HelpName = "X" };
    public readonly Option<string?> Pretrain = new("--pretrain") { Description = "layerwise: greedy layer-wise pre-training of the hidden dense layers as stacked autoencoders on the training inputs, before supervised training", HelpName = "layerwise" };
    public readonly Option<int> PretrainEpochs = new("--pretrain-epochs") { Description = "Epochs of --pretrain per hidden layer", DefaultValueFactory = _ => 2, HelpName = "N" };
    public readonly Option<float> Noise = new("--noise") { Description = "--task autoencode: add Gaussian noise of this standard deviation to the training inputs (denoising autoencoder; images: pixel units in [0, 1], tabular: standardized units)", DefaultValueFactory = _ => 0f, HelpName = "STD" };
    public readonly Option<string?> Reconstructions = new("--reconstructions") { Description = "--task autoencode on images: write a PNG grid of test images (row 1), their noisy inputs (with --noise) and their reconstructions", HelpName = "FILE.png" };

    public IEnumerable<Option> All => [From, DropLast, Freeze, BaseLrScale, Pretrain, PretrainEpochs, Noise, Reconstructions];
}
