using Nabla.Autograd;
using Nabla.Tensors;
using Nabla.Training.Metrics;

namespace Nabla.Tests.Training;

public class TokenMetricsTests
{
    // Two sequences of 4 tokens, 2 classes; the second is padded after 2 tokens (targets −100).
    // predicted (argmax): 1 0 1 1 | 0 1 1 0      actual: 1 0 0 1 | 0 0 −100 −100
    private static readonly Tensor Logits = Tensor.FromArray(
        [0f, 2f, 1f, 0f, 0f, 3f, -1f, 1f,
         5f, 0f, 0f, 1f, 0f, 9f, 2f, 1f], 2, 4, 2);

    private static readonly Tensor Targets = Tensor.FromArray([1f, 0f, 0f, 1f, 0f, 0f, -100f, -100f], 2, 4);

    [Fact]
    public void Token_accuracy_counts_only_tokens_that_are_not_padding()
    {
        var m = new TokenAccuracy();
        m.Update(Logits, Targets);
        Assert.Equal(4.0 / 6, m.Result, 12);
        // The same tokens flattened to [N·T, C] and [N·T] count the same.
        m.Reset();
        m.Update(Logits.Reshape(8, 2), Targets.Reshape(8));
        Assert.Equal(4.0 / 6, m.Result, 12);
    }

    [Fact]
    public void Token_f1_is_the_f1_of_the_positive_class_over_counted_tokens()
    {
        var m = new TokenF1();
        m.Update(Logits, Targets);
        // TP = 2 (tokens 0, 3), FP = 2 (tokens 2, 5), FN = 0 → P = 0.5, R = 1, F1 = 2/3.
        Assert.Equal((2L, 2L, 0L), (m.TruePositives, m.FalsePositives, m.FalseNegatives));
        Assert.Equal(2.0 / 3, m.Result, 12);
        Assert.Equal(0.5, m.Precision, 12);
        Assert.Equal(1.0, m.Recall, 12);
        var none = new TokenF1();
        Assert.True(double.IsNaN(none.Result));
    }

    [Fact]
    public void A_target_count_that_does_not_match_the_tokens_names_both_shapes()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new TokenAccuracy().Update(Logits, Tensor.Zeros(2, 3)));
        Assert.Contains("[2, 4, 2]", e.Message);
        Assert.Contains("[2, 3]", e.Message);
    }
}
