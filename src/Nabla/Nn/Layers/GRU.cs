using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Gated recurrent unit, as PyTorch's <c>nn.GRU(batch_first=True)</c>. Per layer and timestep, with
/// gates stacked r, z, n in W_ih <c>[3H, in]</c> and W_hh <c>[3H, H]</c>:
/// r = σ(W_ir·x + b_ir + W_hr·h + b_hr), z = σ(W_iz·x + b_iz + W_hz·h + b_hz),
/// n = tanh(W_in·x + b_in + r∘(W_hn·h + b_hn)), h' = (1 − z)∘n + z∘h.
/// </summary>
/// <remarks>See <see cref="RNNBase"/> for parameter names, initialization, lengths and dropout.</remarks>
public sealed class GRU : RNNBase
{
    /// <summary>Creates the module with its parameters.</summary>
    /// <inheritdoc cref="LSTM(int, int, Rng, int, bool, bool, double, RecurrentReturn, bool, int)"/>
    public GRU(int inputSize, int hiddenSize, Rng rng, int numLayers = 1, bool bias = true, bool bidirectional = false, double dropout = 0,
        RecurrentReturn returns = RecurrentReturn.Last, bool maskPadding = false, int maxSequenceLength = DefaultMaxSequenceLength)
        : base(RecurrentMode.Gru, LSTM.Positive(inputSize), hiddenSize, rng, numLayers, bias, bidirectional, (float)dropout, returns, maskPadding, maxSequenceLength)
    {
    }

    /// <summary>Creates a lazy module whose input size comes from <see cref="RNNBase.Build"/>.</summary>
    /// <inheritdoc cref="LSTM(int, int, Rng, int, bool, bool, double, RecurrentReturn, bool, int)"/>
    public GRU(int hiddenSize, int numLayers = 1, bool bias = true, bool bidirectional = false, double dropout = 0,
        RecurrentReturn returns = RecurrentReturn.Last, bool maskPadding = false, int maxSequenceLength = DefaultMaxSequenceLength)
        : base(RecurrentMode.Gru, 0, hiddenSize, null, numLayers, bias, bidirectional, (float)dropout, returns, maskPadding, maxSequenceLength)
    {
    }
}
