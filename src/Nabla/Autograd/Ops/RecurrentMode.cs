namespace Nabla.Autograd;

/// <summary>
/// The cell a recurrent layer runs, PyTorch's <c>RNNBase.mode</c>: <c>RNN_TANH</c>, <c>RNN_RELU</c>,
/// <c>LSTM</c>, <c>GRU</c>.
/// </summary>
public enum RecurrentMode
{
    /// <summary>Elman RNN h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh); one gate block.</summary>
    RnnTanh,

    /// <summary>Elman RNN h' = relu(W_ih·x + b_ih + W_hh·h + b_hh); one gate block.</summary>
    RnnRelu,

    /// <summary>Long short-term memory: gate blocks i, f, g, o and a cell state c.</summary>
    Lstm,

    /// <summary>Gated recurrent unit: gate blocks r, z, n.</summary>
    Gru,
}

/// <summary>Facts about each <see cref="RecurrentMode"/>.</summary>
public static class RecurrentModes
{
    /// <summary>Number of H-sized gate blocks in W_ih and W_hh: 1 (RNN), 4 (LSTM), 3 (GRU).</summary>
    public static int GateCount(this RecurrentMode mode) => mode switch
    {
        RecurrentMode.Lstm => 4,
        RecurrentMode.Gru => 3,
        _ => 1,
    };
}
