using Nabla.Nn;
using Nabla.Tensors;

namespace Nabla.Tests.Docs;

/// <summary>The README's "Recurrent networks" example, kept compiling and correct.</summary>
public class ReadmeRecurrentTests
{
    [Fact]
    public void Recurrent_networks_example_has_the_shapes_the_readme_states()
    {
        var rng = new Rng(0);
        var x = Tensor.Randn(new Shape(3, 7, 64), rng);
        var lengths = Tensor.FromArray([7f, 4f, 1f]);

        var lstm = new LSTM(inputSize: 64, hiddenSize: 128, rng, numLayers: 2, bidirectional: true, dropout: 0.2f);
        var (output, (hn, cn)) = lstm.Forward(x, null, lengths);

        var classifier = new Sequential(new GRU(64, 128, rng, bidirectional: true), new Dense(256, 10, rng));
        var tagger = new Sequential(new LSTM(64, 128, rng, returns: RecurrentReturn.Sequence, maskPadding: true), new Dense(128, 5, rng));

        Assert.Equal(new Shape(3, 7, 256), output.Shape);
        Assert.Equal(new Shape(4, 3, 128), hn.Shape);
        Assert.Equal(new Shape(4, 3, 128), cn!.Shape);
        Assert.Equal(new Shape(3, 10), classifier.Forward(x).Shape);
        Assert.Equal(new Shape(3, 7, 5), tagger.Forward(x).Shape);
    }
}
