using Nabla.Autograd;
using Nabla.Tensors;

namespace Nabla.Nn;

/// <summary>
/// The state of a recurrent module, PyTorch's <c>h</c> or <c>(h, c)</c>: hidden state
/// <paramref name="H"/> and, for an LSTM, cell state <paramref name="C"/>, each
/// <c>[numLayers·directions, N, H]</c> with layer k's forward direction at index k·directions and its
/// reverse direction after it.
/// </summary>
/// <param name="H">Hidden state h.</param>
/// <param name="C">Cell state c (LSTM only), or null.</param>
public sealed record RecurrentState(Tensor H, Tensor? C = null)
{
    /// <summary>The same values cut from the graph, to carry into the next chunk of a stream (truncated BPTT).</summary>
    public RecurrentState Detach() => new(H.Detach(), C?.Detach());
}

/// <summary>What a recurrent module returns, PyTorch's <c>(output, h_n)</c> or <c>(output, (h_n, c_n))</c>.</summary>
/// <param name="Output">
/// The top layer's state at every timestep, <c>[N, T, directions·H]</c> (forward half, then reverse
/// half); zero past each row's length, as <c>pad_packed_sequence</c> returns it.
/// </param>
/// <param name="State">h_n (and c_n): each layer's state after each row's own last step (the reverse direction's after t = 0).</param>
public sealed record RecurrentOutput(Tensor Output, RecurrentState State);

/// <summary>What a recurrent module gives the next layer of a <see cref="Sequential"/> (<see cref="RNNBase.Forward(Tensor)"/>).</summary>
public enum RecurrentReturn
{
    /// <summary>
    /// The last step of each row, <c>[N, directions·H]</c>: the top layer's h_n, i.e. the forward
    /// direction at the row's own last step concatenated with the reverse direction at t = 0 (Keras'
    /// <c>return_sequences=False</c>).
    /// </summary>
    Last,

    /// <summary>Every timestep, <c>[N, T, directions·H]</c> (Keras' <c>return_sequences=True</c>), for sequence labelling.</summary>
    Sequence,
}
