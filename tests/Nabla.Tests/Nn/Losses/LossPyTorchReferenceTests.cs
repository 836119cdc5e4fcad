using Nabla.Autograd;
using Nabla.Nn.Losses;
using static Nabla.Tests.Nn.Losses.LossTestData;

namespace Nabla.Tests.Nn.Losses;

/// <summary>
/// Loss values and gradients against constants printed by reference/make_loss_reference.py
/// (PyTorch 1.13.1, float64) on the inputs in <see cref="LossTestData"/>.
/// </summary>
public class LossPyTorchReferenceTests
{
    [Theory]
    [InlineData(Reduction.Mean, new[] { 2.35683173 })]
    [InlineData(Reduction.Sum, new[] { 7.07049519 })]
    [InlineData(Reduction.None, new[] { 0.62705459, 2.47395250, 3.96948809 })]
    public void Cross_entropy_with_index_targets_matches_pytorch(Reduction reduction, double[] expected) =>
        Close(expected, new CrossEntropyLoss(reduction: reduction).Forward(Leaf(Logits), Of(Indices)));

    [Theory]
    [InlineData(Reduction.Mean, new[] { 2.52913358 })]
    [InlineData(Reduction.Sum, new[] { 10.11653433 })]
    [InlineData(Reduction.None, new[] { 0.94058189, 1.23697625, 7.93897619 })]
    public void Weighted_cross_entropy_and_nll_match_pytorch(Reduction reduction, double[] expected)
    {
        Close(expected, new CrossEntropyLoss(Of(ClassWeights), reduction).Forward(Leaf(Logits), Of(Indices)));
        var logProbs = Leaf(Logits).LogSoftmax(1);
        Close(expected, new NLLLoss(Of(ClassWeights), reduction).Forward(logProbs, Of(Indices)));
    }

    [Theory]
    [InlineData(Reduction.Mean, new[] { 2.44717320 })]
    [InlineData(Reduction.Sum, new[] { 9.78869280 })]
    [InlineData(Reduction.None, new[] { 1.07865553, 1.28627269, 7.42376458 })]
    public void Weighted_label_smoothed_cross_entropy_matches_pytorch(Reduction reduction, double[] expected) =>
        Close(expected, new CrossEntropyLoss(Of(ClassWeights), reduction, 0.1f).Forward(Leaf(Logits), Of(Indices)));

    [Fact]
    public void Weighted_label_smoothed_cross_entropy_gradient_matches_pytorch()
    {
        var x = Leaf(Logits);
        new CrossEntropyLoss(Of(ClassWeights), labelSmoothing: 0.1f).Forward(x, Of(Indices)).Backward();
        Close([0.11634488, 0.01349824, 0.02005934, -0.14990246, -0.10351389, 0.04802823, 0.02042141, 0.03506425,
               0.13209442, 0.12896942, -0.45341251, 0.19234867], x.Grad!, 2e-6);
    }

    [Theory]
    [InlineData(Reduction.Mean, new[] { 1.87183173 }, new[] { 2.24127494 })]
    [InlineData(Reduction.Sum, new[] { 5.61549519 }, new[] { 6.72382482 })]
    [InlineData(Reduction.None, new[] { 1.67705459, 2.09395250, 1.84448809 }, new[] { 2.44364698, 1.49331773, 2.78686012 })]
    public void Cross_entropy_with_probability_targets_matches_pytorch(Reduction reduction, double[] plain, double[] weightedSmoothed)
    {
        Close(plain, new CrossEntropyLoss(reduction: reduction).Forward(Leaf(Logits), Nabla.Tensors.Tensor.FromArray(Probabilities)));
        Close(weightedSmoothed, new CrossEntropyLoss(Of(ClassWeights), reduction, 0.2f).Forward(Leaf(Logits), Nabla.Tensors.Tensor.FromArray(Probabilities)));
    }

    [Theory]
    [InlineData(Reduction.Mean, new[] { 0.44082023 }, new[] { 1.39210331 }, new[] { 2.15212440 })]
    [InlineData(Reduction.Sum, new[] { 2.64492136 }, new[] { 8.35261986 }, new[] { 12.91274639 })]
    [InlineData(Reduction.None, new[] { 0.54480543, 0.36177299, 0.67301167, 0.61649468, 0.05129329, 0.39754330 },
        new[] { 0.12692801, 0.20141328, 0.55435524, 0.40318605, 3.04858735, 4.01814993 },
        new[] { 0.57769922, 0.26634261, 1.00696839, 0.77866396, 3.04858735, 7.23448486 })]
    public void Binary_cross_entropies_match_pytorch(Reduction reduction, double[] bce, double[] withLogits, double[] posWeighted)
    {
        var soft = Nabla.Tensors.Tensor.FromArray(SoftTargets);
        Close(bce, new BCELoss(reduction).Forward(Leaf(BceProbabilities), soft));
        Close(withLogits, new BCEWithLogitsLoss(reduction: reduction).Forward(Leaf(BceLogits), Nabla.Tensors.Tensor.FromArray(HardTargets)));
        Close(posWeighted, new BCEWithLogitsLoss(Of(PosWeight), reduction).Forward(Leaf(BceLogits), soft));
    }

    [Fact]
    public void Pos_weighted_bce_with_logits_gradient_matches_pytorch()
    {
        var x = Leaf(BceLogits);
        new BCEWithLogitsLoss(Of(PosWeight)).Forward(x, Nabla.Tensors.Tensor.FromArray(SoftTargets)).Backward();
        Close([0.00551932, 0.02055071, -0.04681533, -0.01140266, 0.15876235, -0.29430437], x.Grad!, 2e-6);
    }

    [Theory]
    [InlineData(Reduction.Mean, new[] { 0.1575 })]
    [InlineData(Reduction.Sum, new[] { 0.63 })]
    [InlineData(Reduction.None, new[] { 0.25, 0.04, 0.25, 0.09 })]
    public void Mse_matches_pytorch(Reduction reduction, double[] expected) =>
        Close(expected, new MSELoss(reduction).Forward(Of([0.5f, -1.2f, 3.0f, 0.0f]), Of([1.0f, -1.0f, 2.5f, 0.3f])));
}
