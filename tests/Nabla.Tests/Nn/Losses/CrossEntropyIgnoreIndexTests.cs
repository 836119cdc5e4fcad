using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn.Losses;
using Nabla.Tensors;
using Nabla.Tests.Architecture;
using Nabla.Tests.Autograd;

namespace Nabla.Tests.Nn.Losses;

/// <summary>
/// Cross-entropy for sequence labelling: <c>ignore_index</c> and per-position logits [N, C, T],
/// against fixtures/cross_entropy_ignore_index.safetensors written by bench/peers/make_rnn_fixtures.py
/// (PyTorch 1.13, float64).
/// </summary>
public class CrossEntropyIgnoreIndexTests
{
    private static readonly IReadOnlyDictionary<string, Tensor> Fixture =
        Safetensors.Load(Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "Nn", "Losses", "fixtures", "cross_entropy_ignore_index.safetensors")).Tensors;

    [Theory]
    [InlineData(Reduction.Mean, "mean")]
    [InlineData(Reduction.Sum, "sum")]
    [InlineData(Reduction.None, "none")]
    public void Ignored_rows_add_no_loss_and_leave_the_mean_denominator(Reduction reduction, string name)
    {
        var loss = new CrossEntropyLoss(reduction: reduction).Forward(Fixture["flat.logits"], Fixture["flat.targets"]);
        Close(Fixture["flat." + name], reduction == Reduction.None ? loss : loss.Reshape(1));
    }

    [Fact]
    public void Ignored_rows_get_no_gradient_and_a_custom_ignore_index_may_be_a_class()
    {
        var x = Fixture["flat.logits"].Detach().Contiguous().RequireGrad();
        new CrossEntropyLoss().Forward(x, Fixture["flat.targets"]).Backward();
        Close(Fixture["flat.grad"], x.Grad!);
        var y = Fixture["flat.logits"].Detach().Contiguous().RequireGrad();
        var loss = new CrossEntropyLoss(ignoreIndex: 2).Forward(y, Fixture["flat.custom_targets"]);
        Close(Fixture["flat.custom_mean"], loss.Reshape(1));
        loss.Backward();
        Close(Fixture["flat.custom_grad"], y.Grad!);
    }

    [Theory]
    [InlineData(Reduction.Mean, "mean")]
    [InlineData(Reduction.Sum, "sum")]
    [InlineData(Reduction.None, "none")]
    public void Per_timestep_logits_with_weights_smoothing_and_padding_match_pytorch(Reduction reduction, string name)
    {
        var x = Fixture["seq.logits"].Detach().Contiguous().RequireGrad();
        var loss = new CrossEntropyLoss(Fixture["seq.weight"], reduction, 0.1f).Forward(x, Fixture["seq.targets"]);
        Close(Fixture["seq." + name], reduction == Reduction.None ? loss : loss.Reshape(1));
        if (reduction != Reduction.Mean) return;
        loss.Backward();
        Close(Fixture["seq.grad"], x.Grad!);
    }

    [Fact]
    public void Per_timestep_loss_with_ignored_positions_matches_finite_differences()
    {
        var rng = new Rng(4);
        var x = GradAssert.Param(rng, 1f, 2, 3, 4);
        var t = Tensor.FromArray([0f, 2f, -100f, 1f, 1f, -100f, -100f, 0f], 2, 4);
        GradAssert.Passes(a => new CrossEntropyLoss().Forward(a[0], t), x);
        GradAssert.Passes(a => new CrossEntropyLoss(reduction: Reduction.None, labelSmoothing: 0.2f).Forward(a[0], t), x);
    }

    [Fact]
    public void Every_position_ignored_gives_nan_like_pytorch_and_bad_targets_name_the_ignore_index()
    {
        var loss = new CrossEntropyLoss().Forward(Tensor.Zeros(2, 3), Tensor.FromArray([-100f, -100f]));
        Assert.True(float.IsNaN(loss.Item()));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(2, 3), Tensor.FromArray([1f, -1f])));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("ignore index -100", e.Message);
        var shape = Assert.Throws<ShapeMismatchException>(() => new CrossEntropyLoss().Forward(Tensor.Zeros(2, 3, 5), Tensor.Zeros(2, 3)));
        Assert.Contains("[2, 5]", shape.Message);
        Assert.Contains("[2, 3]", shape.Message);
    }

    private static void Close(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(a[i] - e[i]) <= 1e-5 * (Math.Abs(e[i]) + 1e-3), $"element {i}: {a[i]:G9}, PyTorch {e[i]:G9}");
    }
}
