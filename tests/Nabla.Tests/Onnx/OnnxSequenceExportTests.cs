using Nabla.Nn;
using Nabla.Tensors;
using static Nabla.Tests.Onnx.OnnxRuntimeRunner;

namespace Nabla.Tests.Onnx;

/// <summary>Embeddings, masked 1-D pooling and recurrent layers exported to ONNX give Nabla's outputs in ONNX Runtime within 1e-5.</summary>
public sealed class OnnxSequenceExportTests
{
    // Token ids [3, 6] of a vocabulary of 9: row 0 full, row 1 padded (0) after 3 tokens, row 2 all padding.
    private static Tensor PaddedIds() => Tensor.FromArray([4, 2, 7, 1, 8, 3, 5, 6, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 6]);

    [Fact]
    public void An_embedding_gathers_its_rows_for_float_ids()
    {
        var ids = Tensor.FromArray([0, 3, 6, 2, 5, 5, 1, 4], [2, 4]);
        AssertExportMatches(new Embedding(7, 5, new Rng(1)), ids);
    }

    [Fact]
    public void Average_pooling_after_an_embedding_with_padding_averages_only_real_positions()
    {
        var model = new Sequential(new Embedding(9, 4, new Rng(2), paddingIdx: 0), new Dense(4, 5, new Rng(3), activation: "tanh"), new Dropout(0.3f, new Rng(4)),
            new GlobalAveragePooling1D(), new Dense(5, 2, new Rng(5)));
        AssertExportMatches(model, PaddedIds());
    }

    [Fact]
    public void Max_pooling_after_an_embedding_with_padding_takes_the_max_of_real_positions_and_zero_for_padding_only_rows()
    {
        // Padding positions still get values there (sigmoid of the dense bias), which an unmasked max would take in.
        var model = new Sequential(new Embedding(9, 4, new Rng(6), paddingIdx: 0), new Dense(4, 3, new Rng(7)), new Sigmoid(), new GlobalMaxPooling1D());
        var ids = PaddedIds();
        AssertExportMatches(model, ids);
        var pooled = Forward(model, ids).ToArray();
        Assert.Equal([0f, 0f, 0f], pooled[6..]);   // the all-padding row, which ONNX must not turn into −∞ or a max over padding
    }

    [Fact]
    public void Pooling_over_time_without_a_mask_uses_every_position()
    {
        var x = Tensor.Randn(new Shape(3, 5, 4), new Rng(8));
        AssertExportMatches(new Sequential(new GlobalAveragePooling1D()), x);
        AssertExportMatches(new Sequential(new GlobalMaxPooling1D()), x);
    }

    public static TheoryData<string, int, bool, RecurrentReturn> Recurrent => new()
    {
        { "lstm", 1, false, RecurrentReturn.Last },
        { "lstm", 2, true, RecurrentReturn.Sequence },
        { "gru", 1, true, RecurrentReturn.Last },
        { "gru", 2, false, RecurrentReturn.Sequence },
        { "tanh", 2, true, RecurrentReturn.Last },
        { "relu", 1, false, RecurrentReturn.Sequence },
    };

    private static RNNBase Create(string kind, int input, int hidden, int layers, bool bidirectional, RecurrentReturn returns, bool maskPadding, Rng rng) => kind switch
    {
        "lstm" => new LSTM(input, hidden, rng, layers, bidirectional: bidirectional, returns: returns, maskPadding: maskPadding),
        "gru" => new GRU(input, hidden, rng, layers, bidirectional: bidirectional, returns: returns, maskPadding: maskPadding),
        _ => new RNN(input, hidden, rng, kind, layers, bidirectional: bidirectional, returns: returns, maskPadding: maskPadding),
    };

    [Theory]
    [MemberData(nameof(Recurrent))]
    public void A_recurrent_stack_matches_with_pytorch_gates_reordered_for_onnx(string kind, int layers, bool bidirectional, RecurrentReturn returns)
    {
        var model = Create(kind, 3, 4, layers, bidirectional, returns, maskPadding: false, new Rng(9));
        AssertExportMatches(model, Tensor.Randn(new Shape(2, 5, 3), new Rng(10)));
    }

    [Theory]
    [InlineData("lstm", RecurrentReturn.Last)]
    [InlineData("gru", RecurrentReturn.Sequence)]
    [InlineData("tanh", RecurrentReturn.Last)]
    public void Masked_padding_gives_each_row_its_own_length_including_a_row_of_padding_only(string kind, RecurrentReturn returns)
    {
        var model = new Sequential(new Embedding(9, 3, new Rng(11), paddingIdx: 0), Create(kind, 3, 4, 2, true, returns, maskPadding: true, new Rng(12)));
        AssertExportMatches(model, PaddedIds());
    }

    [Fact]
    public void After_an_embedding_with_padding_a_recurrent_layer_takes_its_lengths_from_the_mask_and_passes_it_on_to_pooling()
    {
        // No maskPadding: the lengths come from the embedding's mask (row 1 has a padding token inside, which does not end it).
        var model = new Sequential(new Embedding(9, 3, new Rng(13), paddingIdx: 0), new GRU(3, 4, new Rng(14), bidirectional: true, returns: RecurrentReturn.Sequence),
            new GlobalMaxPooling1D(), new Dense(8, 2, new Rng(15)));
        AssertExportMatches(model, Tensor.FromArray([4, 2, 7, 1, 8, 3, 5, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 6]));
    }
}
