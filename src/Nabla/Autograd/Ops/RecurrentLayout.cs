namespace Nabla.Autograd;

/// <summary>
/// Sizes of one recurrent layer call and where each of its buffers lives.
/// </summary>
/// <remarks>
/// <para>The op's result is one flat buffer: the output sequence <c>[N, T, D·H]</c>, then h_n
/// <c>[D, N, H]</c>, then (LSTM) c_n <c>[D, N, H]</c>; the caller sees views of it.</para>
/// <para>What forward keeps for backward is one buffer too, a block per direction holding, all
/// batch-first so every timestep is a strided block of N rows and every weight gradient one GEMM
/// over the N·T rows: the activated gates <c>[N, T, G·H]</c>; the state entering each step
/// <c>[N, T, H]</c>; and, for an LSTM, the cell state entering each step, for a GRU the
/// W_hn·h + b_hn that r multiplies (both <c>[N, T, H]</c>).</para>
/// </remarks>
internal readonly struct RecurrentLayout(RecurrentMode mode, int batch, int steps, int features, int hidden, int directions)
{
    public readonly RecurrentMode Mode = mode;
    public readonly int N = batch, T = steps, F = features, H = hidden, D = directions;

    /// <summary>Width of the gate blocks, G·H.</summary>
    public int GH => Mode.GateCount() * H;

    public bool IsLstm => Mode == RecurrentMode.Lstm;

    public bool IsGru => Mode == RecurrentMode.Gru;

    public bool IsRelu => Mode == RecurrentMode.RnnRelu;

    /// <summary>Elements of the output sequence, N·T·D·H.</summary>
    public int OutputLength => N * T * D * H;

    /// <summary>Elements of h_n (and of c_n), D·N·H.</summary>
    public int StateLength => D * N * H;

    public int ResultLength => OutputLength + StateLength * (IsLstm ? 2 : 1);

    /// <summary>Offset of c_n in the result.</summary>
    public int CellOffset => OutputLength + StateLength;

    /// <summary>Elements kept per direction: gates, entering states and the LSTM/GRU extra.</summary>
    public int DirectionBlock => N * T * (GH + H + (Mode is RecurrentMode.Lstm or RecurrentMode.Gru ? H : 0));

    public int GatesOffset(int d) => d * DirectionBlock;

    public int StatesOffset(int d) => d * DirectionBlock + N * T * GH;

    /// <summary>Offset of the LSTM cell states entering each step, or the GRU's saved W_hn·h + b_hn.</summary>
    public int ExtraOffset(int d) => StatesOffset(d) + N * T * H;

    /// <summary>The timestep processed k-th by direction d (the reverse direction runs T−1 … 0).</summary>
    public int Step(int d, int k) => d == 0 ? k : T - 1 - k;

    /// <summary>The timestep after <paramref name="t"/> in direction d's order.</summary>
    public int NextStep(int d, int t) => d == 0 ? t + 1 : t - 1;
}
