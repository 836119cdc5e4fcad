using Nabla.Nn;
using Nabla.Nn.Losses;
using Nabla.Tensors;

namespace Nabla.Tests.Tensors;

public sealed class FloatIndexTests
{
    [Fact]
    public void Float_holds_whole_numbers_exactly_only_up_to_2_to_the_24()
    {
        Assert.Equal(16_777_216f, (float)16_777_217); // the silent neighbour the limit exists to prevent
        Assert.Equal(16_777_215, (int)(float)16_777_215);
        Assert.Equal(FloatIndex.MaxExact, (int)(float)FloatIndex.MaxExact);
    }

    [Fact]
    public void An_axis_longer_than_float_indices_address_is_refused_with_its_size()
    {
        FloatIndex.CheckCount(FloatIndex.MaxExact + 1L, "table"); // indices 0 … 2^24, all exact
        var e = Assert.Throws<ShapeMismatchException>(() => FloatIndex.CheckCount(FloatIndex.MaxExact + 2L, "table"));
        Assert.Equal("table: 16,777,218 entries cannot be addressed by float indices, which are exact only up to 2^24 = 16,777,216", e.Message);
    }

    [Fact]
    public void An_embedding_table_that_float_ids_cannot_address_is_refused_before_anything_is_allocated()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => new Embedding(20_000_000, 64, new Rng(1)));
        Assert.StartsWith("Embedding: 20,000,000 entries cannot be addressed by float indices", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_count_float_targets_cannot_address_is_refused_even_when_every_row_is_ignored()
    {
        // One row whose target is the ignore index: no row is read, the shape alone decides (67 MB of logits).
        var logits = Tensor.Zeros(new Shape(1, FloatIndex.MaxExact + 2));
        var e = Assert.Throws<ShapeMismatchException>(() => new CrossEntropyLoss().Forward(logits, Tensor.FromArray([-100f])));
        Assert.StartsWith("CrossEntropyLoss: 16,777,218 entries cannot be addressed by float indices", e.Message, StringComparison.Ordinal);
    }
}
