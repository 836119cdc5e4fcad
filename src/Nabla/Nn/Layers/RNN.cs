using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// Elman recurrent network, as PyTorch's <c>nn.RNN(batch_first=True)</c>: per layer and timestep
/// h' = act(W_ih·x + b_ih + W_hh·h + b_hh) with act = tanh (default) or ReLU, W_ih <c>[H, in]</c>,
/// W_hh <c>[H, H]</c>.
/// </summary>
/// <remarks>See <see cref="RNNBase"/> for parameter names, initialization, lengths and dropout.</remarks>
public sealed class RNN : RNNBase
{
    /// <summary>Creates the module with its parameters.</summary>
    /// <param name="inputSize">Features per timestep.</param>
    /// <param name="hiddenSize">H.</param>
    /// <param name="rng">Seeded source of the initial weights and of the dropout masks.</param>
    /// <param name="nonlinearity"><c>"tanh"</c> or <c>"relu"</c>, as PyTorch spells them.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Whether the layers have b_ih and b_hh.</param>
    /// <param name="bidirectional">Also run each layer backwards in time.</param>
    /// <param name="dropout">Dropout on each layer's output except the last, in training mode.</param>
    /// <param name="returns">What <see cref="RNNBase.Forward(Tensor)"/> returns inside a <see cref="Sequential"/>.</param>
    /// <param name="maskPadding">Take lengths from trailing all-zero timesteps in <see cref="RNNBase.Forward(Tensor)"/>.</param>
    /// <param name="maxSequenceLength">Longest accepted sequence.</param>
    public RNN(int inputSize, int hiddenSize, Rng rng, string nonlinearity = "tanh", int numLayers = 1, bool bias = true, bool bidirectional = false,
        double dropout = 0, RecurrentReturn returns = RecurrentReturn.Last, bool maskPadding = false, int maxSequenceLength = DefaultMaxSequenceLength)
        : base(ModeOf(nonlinearity), LSTM.Positive(inputSize), hiddenSize, rng, numLayers, bias, bidirectional, (float)dropout, returns, maskPadding, maxSequenceLength)
    {
    }

    /// <summary>Creates a lazy module whose input size comes from <see cref="RNNBase.Build"/>.</summary>
    /// <inheritdoc cref="RNN(int, int, Rng, string, int, bool, bool, double, RecurrentReturn, bool, int)"/>
    public RNN(int hiddenSize, string nonlinearity = "tanh", int numLayers = 1, bool bias = true, bool bidirectional = false, double dropout = 0,
        RecurrentReturn returns = RecurrentReturn.Last, bool maskPadding = false, int maxSequenceLength = DefaultMaxSequenceLength)
        : base(ModeOf(nonlinearity), 0, hiddenSize, null, numLayers, bias, bidirectional, (float)dropout, returns, maskPadding, maxSequenceLength)
    {
    }

    /// <summary>The activation: <c>"tanh"</c> or <c>"relu"</c>.</summary>
    public string Nonlinearity => Mode == RecurrentMode.RnnRelu ? "relu" : "tanh";

    private static RecurrentMode ModeOf(string nonlinearity) => nonlinearity switch
    {
        "tanh" => RecurrentMode.RnnTanh,
        "relu" => RecurrentMode.RnnRelu,
        _ => throw new ArgumentException($"RNN: nonlinearity must be \"tanh\" or \"relu\", got \"{nonlinearity}\"", nameof(nonlinearity)),
    };
}
