using Nabla.Autograd;
using Nabla.IO;
using Nabla.Nn;
using Nabla.Optim;
using Nabla.Tensors;
using Nabla.Tests.Architecture;

namespace Nabla.Tests.Nn;

/// <summary>
/// Compares Embedding, the masked average pooling and SparseAdam with numbers PyTorch 1.13 wrote:
/// <c>bench/peers/make_text_fixtures.py</c> → <c>fixtures/embedding.safetensors</c>.
/// </summary>
public class EmbeddingPyTorchTests
{
    private static readonly IReadOnlyDictionary<string, Tensor> Fixture =
        Safetensors.Load(Path.Combine(LayeringTests.RepoRoot(), "tests", "Nabla.Tests", "Nn", "fixtures", "embedding.safetensors")).Tensors;

    private static void Close(Tensor expected, Tensor actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(MathF.Abs(e[i] - a[i]) <= tolerance * (1 + MathF.Abs(e[i])), $"element {i}: PyTorch {e[i]}, Nabla {a[i]}");
    }

    [Fact]
    public void Forward_and_weight_gradient_with_padding_match_pytorch()
    {
        var layer = Embedding.FromPretrained(Fixture["weight"], freeze: false, paddingIdx: 0);
        var y = layer.Forward(Fixture["ids"]);
        Close(Fixture["output"], y);
        y.Backward(Fixture["upstream"]);
        Close(Fixture["weight_grad"], layer.Weight.Grad!);
    }

    [Fact]
    public void Masked_average_pooling_and_its_gradient_match_pytorch()
    {
        var layer = Embedding.FromPretrained(Fixture["weight"], freeze: false, paddingIdx: 0);
        var pooled = new Sequential(layer, new GlobalAveragePooling1D()).Forward(Fixture["ids"]);
        Close(Fixture["pooled"], pooled);
        pooled.Backward(Fixture["pooled_upstream"]);
        Close(Fixture["pooled_weight_grad"], layer.Weight.Grad!);
    }

    [Fact]
    public void SparseAdam_steps_match_pytorch()
    {
        var layer = Embedding.FromPretrained(Fixture["sparse_adam_initial"], freeze: false);
        var optimizer = new SparseAdam(layer.Parameters(), lr: 0.01f);
        for (int k = 0; k < 3; k++)
        {
            optimizer.ZeroGrad();
            layer.Forward(Fixture[$"sparse_adam_ids_{k}"]).Backward(Fixture[$"sparse_adam_upstream_{k}"]);
            Assert.True(layer.Weight.TryGetGradRows(out _));
            optimizer.Step();
            Close(Fixture[$"sparse_adam_weight_{k}"], layer.Weight, 2e-6f);
        }
    }
}
