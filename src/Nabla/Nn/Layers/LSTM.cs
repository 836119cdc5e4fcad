using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Long short-term memory, as PyTorch's <c>nn.LSTM(batch_first=True)</c>. Per layer and timestep,
/// with gates stacked i, f, g, o in W_ih <c>[4H, in]</c> and W_hh <c>[4H, H]</c>:
/// i = σ(W_ii·x + b_ii + W_hi·h + b_hi), f = σ(W_if·x + b_if + W_hf·h + b_hf),
/// g = tanh(W_ig·x + b_ig + W_hg·h + b_hg), o = σ(W_io·x + b_io + W_ho·h + b_ho),
/// c' = f∘c + i∘g, h' = o∘tanh(c').
/// </summary>
/// <remarks>See <see cref="RNNBase"/> for parameter names, initialization, lengths and dropout.</remarks>
/// <example><code>
/// var lstm = new LSTM(64, 128, rng, numLayers: 2, bidirectional: true);
/// var (output, (hn, cn)) = lstm.Forward(x, null, lengths);   // x [N, T, 64] → output [N, T, 256], hn/cn [4, N, 128]
/// var tagger = new Sequential(new LSTM(64, 128, rng, returns: RecurrentReturn.Sequence), new Dense(128, 5, rng));
/// </code></example>
public sealed class LSTM : RNNBase
{
    /// <summary>Creates the module with its parameters.</summary>
    /// <param name="inputSize">Features per timestep.</param>
    /// <param name="hiddenSize">H.</param>
    /// <param name="rng">Seeded source of the initial weights and of the dropout masks.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether the layers have b_ih and b_hh.</param>
    /// <param name="bidirectional">Also run each layer backwards in time.</param>
    /// <param name="dropout">Dropout on each layer's output except the last, in training mode.</param>
    /// <param name="returns">What <see cref="RNNBase.Forward(Tensor)"/> returns inside a <see cref="Sequential"/>.</param>
    /// <param name="maskPadding">Take lengths from trailing all-zero timesteps in <see cref="RNNBase.Forward(Tensor)"/>.</param>
    /// <param name="maxSequenceLength">Longest accepted sequence.</param>
    public LSTM(int inputSize, int hiddenSize, Rng rng, int numLayers = 1, bool bias = true, bool bidirectional = false, double dropout = 0,
        RecurrentReturn returns = RecurrentReturn.Last, bool maskPadding = false, int maxSequenceLength = DefaultMaxSequenceLength)
        : base(RecurrentMode.Lstm, Positive(inputSize), hiddenSize, rng, numLayers, bias, bidirectional, (float)dropout, returns, maskPadding, maxSequenceLength)
    {
    }

    /// <summary>Creates a lazy module whose input size comes from <see cref="RNNBase.Build"/> (Keras style).</summary>
    /// <inheritdoc cref="LSTM(int, int, Rng, int, bool, bool, double, RecurrentReturn, bool, int)"/>
    public LSTM(int hiddenSize, int numLayers = 1, bool bias = true, bool bidirectional = false, double dropout = 0,
        RecurrentReturn returns = RecurrentReturn.Last, bool maskPadding = false, int maxSequenceLength = DefaultMaxSequenceLength)
        : base(RecurrentMode.Lstm, 0, hiddenSize, null, numLayers, bias, bidirectional, (float)dropout, returns, maskPadding, maxSequenceLength)
    {
    }

    internal static int Positive(int inputSize) => inputSize >= 1 ? inputSize
        : throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"input size must be at least 1, got {inputSize}");
}
