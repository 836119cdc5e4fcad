using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.StandIns;

/// <summary>
/// STAND-IN, to be deleted when the branches merge: replace every use by <c>Nabla.Nn.Embedding</c>
/// (built concurrently on the text branch), <c>(n, d) => new Embedding(n, d, rng)</c>. A table
/// <c>weight</c> [n, d] drawn N(0, 1) (as nn.Embedding) and looked up with <c>IndexSelect</c>, just
/// enough for the transformer tests, the bench and the samples, which link this one file.
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
