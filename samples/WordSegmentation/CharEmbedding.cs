using Nabla.Autograd;
using Nabla.Nn;
using Nabla.Tensors;

namespace WordSegmentation;

/// <summary>
/// A lookup table of character vectors, as PyTorch's <c>nn.Embedding(V, E, padding_idx=0)</c>: ids
/// <c>[N, T]</c> (a float tensor of whole numbers) → vectors <c>[N, T, E]</c>, initialized N(0, 1)
/// with row 0 (padding) zero. Padding never reaches a loss (the LSTM skips steps past each row's
/// length), so row 0 gets no gradient and stays zero — which is what lets the LSTM's
/// <c>maskPadding</c> find each row's length from its trailing zero vectors. A stand-in until the
/// library's own <c>Embedding</c> layer lands; swap it for that one.
/// </summary>
public sealed class CharEmbedding : Module
{
    public CharEmbedding(int vocabulary, int dimension, Rng rng)
    {
        var w = Tensor.Randn(new Shape(vocabulary, dimension), rng);
        w.AsSpan()[..dimension].Clear();
        Weight = RegisterParameter("weight", w);
        Dimension = dimension;
    }

    public Tensor Weight { get; }

    public int Dimension { get; }

    public override Tensor Forward(Tensor input)
    {
        int n = input.Shape[0], t = input.Shape[1];
        return Weight.IndexSelect(0, input.Reshape(n * t)).Reshape(n, t, Dimension);
    }

    public override string Describe() => $"CharEmbedding({Weight.Shape[0]} × {Dimension})";
}
