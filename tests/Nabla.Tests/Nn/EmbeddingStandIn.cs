using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Nn;

/// <summary>
/// STAND-IN, to be replaced by <c>Nabla.Nn.Embedding</c> (built concurrently on the text branch) when
/// the branches merge: <c>(n, d) => new Embedding(n, d, rng)</c>. A table <c>weight</c> [n, d] drawn
/// N(0, 1) and looked up with <c>IndexSelect</c>, just enough for the transformer tests.
/// </summary>
internal sealed class EmbeddingStandIn : Module
{
    private readonly Tensor _weight;

    public EmbeddingStandIn(int count, int dim, Rng rng)
    {
        _weight = RegisterParameter("weight", Tensor.Randn(new Shape(count, dim), rng));
    }

    public override Tensor Forward(Tensor input) =>
        _weight.IndexSelect(0, input.Reshape(input.Numel)).Reshape(input.Shape[0], input.Shape[1], _weight.Shape[1]);
}
