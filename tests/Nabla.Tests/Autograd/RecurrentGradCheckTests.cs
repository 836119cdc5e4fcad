using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Tests.Autograd;

/// <summary>
/// Finite-difference checks of <see cref="RecurrentOp"/> for every cell, both directions, initial
/// states and the packed (variable-length) path. The checked function returns the output sequence,
/// h_n and c_n side by side, so every gradient path into the inputs is exercised.
/// </summary>
public class RecurrentGradCheckTests
{
    private const int N = 3, T = 4, F = 3;

    public static TheoryData<RecurrentMode, bool> Cells() => new()
    {
        { RecurrentMode.Lstm, false }, { RecurrentMode.Lstm, true },
        { RecurrentMode.Gru, false }, { RecurrentMode.Gru, true },
        { RecurrentMode.RnnTanh, false }, { RecurrentMode.RnnTanh, true },
        { RecurrentMode.RnnRelu, false }, { RecurrentMode.RnnRelu, true },
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public void Every_cell_matches_finite_differences_for_inputs_weights_biases_and_initial_states(RecurrentMode mode, bool bidirectional) =>
        Check(mode, bidirectional, lengths: [], hidden: 2);

    [Theory]
    [MemberData(nameof(Cells))]
    public void The_packed_path_matches_finite_differences_with_rows_of_different_lengths(RecurrentMode mode, bool bidirectional) =>
        Check(mode, bidirectional, lengths: [4, 1, 3], hidden: 2);

    [Theory]
    [InlineData(RecurrentMode.Lstm)]
    [InlineData(RecurrentMode.Gru)]
    [InlineData(RecurrentMode.RnnTanh)]
    public void The_vectorized_kernels_match_finite_differences_with_a_hidden_size_past_one_vector(RecurrentMode mode) =>
        Check(mode, false, lengths: [3, 4, 1], hidden: 9);

    [Fact]
    public void A_row_of_length_zero_keeps_its_initial_state_and_passes_its_gradient_straight_through() =>
        Check(RecurrentMode.Lstm, true, lengths: [2, 0, 4], hidden: 2);

    [Fact]
    public void Layers_without_biases_and_initial_states_match_finite_differences()
    {
        var rng = new Rng(31);
        const int H = 2;
        var x = GradAssert.Param(rng, 1f, N, T, F);
        var wih = GradAssert.Param(rng, 0.6f, 3 * H, F);
        var whh = GradAssert.Param(rng, 0.6f, 3 * H, H);
        GradAssert.Passes(t =>
        {
            var r = t[0].RecurrentLayer(RecurrentMode.Gru, new RecurrentWeights(t[1], t[2], null, null), lengths: [3, 4, 2]);
            return Tensor.Concat([r.Output.Reshape(-1), r.HiddenState.Reshape(-1)]);
        }, x, wih, whh);
    }

    private static void Check(RecurrentMode mode, bool bidirectional, int[] lengths, int hidden)
    {
        int H = hidden;
        var rng = new Rng(17 + (ulong)mode * 3 + (bidirectional ? 1UL : 0));
        int g = mode.GateCount(), d = bidirectional ? 2 : 1;
        bool lstm = mode == RecurrentMode.Lstm;
        var inputs = new List<Tensor> { GradAssert.Param(rng, 1f, N, T, F) };
        for (int k = 0; k < d; k++)
        {
            inputs.Add(GradAssert.Param(rng, 0.6f, g * H, F));
            inputs.Add(GradAssert.Param(rng, 0.6f, g * H, H));
            inputs.Add(GradAssert.Param(rng, 0.3f, g * H));
            inputs.Add(GradAssert.Param(rng, 0.3f, g * H));
        }
        inputs.Add(GradAssert.Param(rng, 0.5f, d, N, H));
        if (lstm) inputs.Add(GradAssert.Param(rng, 0.5f, d, N, H));
        if (mode == RecurrentMode.RnnRelu)
        {
            // Keep every pre-activation away from ReLU's kink so the differences never straddle it.
            foreach (var t in inputs) GradAssert.AwayFrom(t, 0f, 0.05f);
        }
        int states = 1 + 4 * d;
        var result = GradCheck.Run(t =>
        {
            var fw = new RecurrentWeights(t[1], t[2], t[3], t[4]);
            RecurrentWeights? bw = bidirectional ? new RecurrentWeights(t[5], t[6], t[7], t[8]) : null;
            var r = t[0].RecurrentLayer(mode, fw, bw, t[states], lstm ? t[states + 1] : null, lengths);
            var parts = new List<Tensor> { r.Output.Reshape(-1), r.HiddenState.Reshape(-1) };
            if (r.CellState is not null) parts.Add(r.CellState.Reshape(-1));
            return Tensor.Concat(parts);
        }, [.. inputs], epsilon: mode == RecurrentMode.RnnRelu ? 1e-3f : 1e-2f);
        Assert.True(result.Passed, result.Failure);
    }
}
