using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// One recurrent layer (RNN, LSTM or GRU; one or two directions) over a whole batch-first sequence
/// as a single differentiable operation — PyTorch's <c>_VF.lstm</c> etc. for one layer.
/// </summary>
/// <remarks>
/// <para>Per direction the work is: the input projection of all timesteps as one GEMM
/// (X·W_ihᵀ + biases for the N·T rows); then per timestep one recurrent GEMM (h·W_hhᵀ, added onto
/// that step's projection) and one fused gate kernel (<see cref="LstmCell"/>, <see cref="GruCell"/>,
/// <see cref="RnnCell"/>) that applies the activations and updates the state in one pass. Backward
/// mirrors it: per timestep one fused kernel and one GEMM (∂a·W_hh), then every weight gradient as
/// one GEMM over the N·T rows. Nothing is allocated per timestep: every buffer is a strided view
/// into the one result and the one saved buffer (<see cref="RecurrentLayout"/>).</para>
/// <para>Lengths follow <c>pack_padded_sequence</c>: row r only runs steps t &lt; lengths[r]; past
/// them its output is zero and its state is carried, so h_n (and c_n) are the states after its
/// own last step, and the reverse direction starts at its last step.</para>
/// </remarks>
public static class RecurrentOp
{
    extension(Tensor input)
    {
        /// <summary>
        /// Runs one recurrent layer over <paramref name="input"/> <c>[N, T, F]</c> (batch first).
        /// </summary>
        /// <param name="mode">The cell.</param>
        /// <param name="forward">The forward direction's parameters (W_ih <c>[G·H, F]</c>, W_hh <c>[G·H, H]</c>, biases <c>[G·H]</c> or null).</param>
        /// <param name="reverse">The reverse direction's parameters for a bidirectional layer, else null.</param>
        /// <param name="h0">Initial hidden state <c>[D, N, H]</c>, or null for zeros.</param>
        /// <param name="c0">Initial cell state <c>[D, N, H]</c> (LSTM only), or null for zeros.</param>
        /// <param name="lengths">Per-row lengths in [0, T] (empty: every row has T steps). A row of length 0 outputs zeros and keeps its initial state.</param>
        /// <returns>Output <c>[N, T, D·H]</c>, h_n <c>[D, N, H]</c> and, for an LSTM, c_n <c>[D, N, H]</c>.</returns>
        /// <exception cref="ShapeMismatchException">A shape does not fit; the message names every shape involved.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A length is outside [0, T]; names the row.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public RecurrentLayerOutput RecurrentLayer(RecurrentMode mode, RecurrentWeights forward, RecurrentWeights? reverse = null,
            Tensor? h0 = null, Tensor? c0 = null, ReadOnlySpan<int> lengths = default)
        {
            var layout = Validate(input, mode, forward, reverse, h0, c0, lengths);
            var x = input.Contiguous();
            var w0 = Dense(forward);
            var w1 = reverse is { } r ? Dense(r) : default;
            var h0c = h0?.Contiguous();
            var c0c = c0?.Contiguous();
            bool records = Records(x) || Records(w0) || (reverse is not null && Records(w1))
                || (h0c is not null && GradMode.Records(h0c)) || (c0c is not null && GradMode.Records(c0c));

            var result = Tensor.Uninitialized(new Shape(layout.ResultLength));
            var saved = records ? Tensor.Uninitialized(new Shape(layout.D * layout.DirectionBlock)) : Tensor.RentWorkspace(new Shape(layout.D * layout.DirectionBlock));
            var rs = result.AsSpan();
            var ss = saved.AsSpan();
            for (int d = 0; d < layout.D; d++)
                RunDirection(in layout, d, d == 0 ? w0 : w1, x.ReadOnlyData, h0c is null ? default : h0c.ReadOnlyData,
                    c0c is null ? default : c0c.ReadOnlyData, lengths, rs, ss);
            if (!records) Tensor.ReturnWorkspace(saved);
            else
            {
                var node = RecurrentNode.Rent();
                node.SetInput(0, x);
                SetWeights(node, 1, w0);
                if (reverse is not null) SetWeights(node, 5, w1);
                if (h0c is not null) node.SetInput(9, h0c);
                if (c0c is not null) node.SetInput(10, c0c);
                node.Prepare(layout, saved, lengths);
                GradMode.Attach(node, result);
            }

            int n = layout.N, t = layout.T, h = layout.H, dirs = layout.D;
            var output = result.Narrow(0, 0, layout.OutputLength).Reshape(new Shape(n, t, dirs * h));
            var hn = result.Narrow(0, layout.OutputLength, layout.StateLength).Reshape(new Shape(dirs, n, h));
            var cn = layout.IsLstm ? result.Narrow(0, layout.CellOffset, layout.StateLength).Reshape(new Shape(dirs, n, h)) : null;
            return new RecurrentLayerOutput(output, hn, cn);
        }
    }

    private static RecurrentWeights Dense(RecurrentWeights w) =>
        new(w.WeightIh.Contiguous(), w.WeightHh.Contiguous(), w.BiasIh?.Contiguous(), w.BiasHh?.Contiguous());

    private static bool Records(Tensor x) => GradMode.Records(x);

    private static bool Records(RecurrentWeights w) =>
        GradMode.Records(w.WeightIh, w.WeightHh) || (w.BiasIh is not null && GradMode.Records(w.BiasIh))
        || (w.BiasHh is not null && GradMode.Records(w.BiasHh));

    private static void SetWeights(Node node, int at, RecurrentWeights w)
    {
        node.SetInput(at, w.WeightIh);
        node.SetInput(at + 1, w.WeightHh);
        if (w.BiasIh is not null) node.SetInput(at + 2, w.BiasIh);
        if (w.BiasHh is not null) node.SetInput(at + 3, w.BiasHh);
    }

    /// <summary>Forward of direction <paramref name="d"/>: input GEMM, then per step one GEMM and one fused kernel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunDirection(in RecurrentLayout l, int d, RecurrentWeights w, ReadOnlySpan<float> x,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, ReadOnlySpan<int> lengths, Span<float> result, Span<float> saved)
    {
        int n = l.N, t = l.T, h = l.H, gh = l.GH, rows = n * t;
        var gates = saved.Slice(l.GatesOffset(d), rows * gh);
        var states = saved.Slice(l.StatesOffset(d), rows * h);
        var extra = l.IsLstm || l.IsGru ? saved.Slice(l.ExtraOffset(d), rows * h) : default;
        var wih = w.WeightIh.ReadOnlyData;
        var whh = w.WeightHh.ReadOnlyData;

        // Input projection of every timestep at once, the biases written first (β = 1). The LSTM
        // and RNN add both biases here; the GRU adds b_hh in its kernel, inside r∘(W_hn·h + b_hn).
        bool anyBias = w.BiasIh is not null || (!l.IsGru && w.BiasHh is not null);
        if (anyBias)
        {
            var bias = Tensor.RentWorkspace(new Shape(gh));
            var b = bias.AsSpan();
            if (w.BiasIh is not null) w.BiasIh.ReadOnlyData.CopyTo(b);
            else b.Clear();
            if (!l.IsGru && w.BiasHh is not null) Primitives.Add(b, w.BiasHh.ReadOnlyData, b);
            for (int r = 0; r < rows; r++) b.CopyTo(gates.Slice(r * gh, gh));
            Tensor.ReturnWorkspace(bias);
        }
        Gemm.Sgemm(false, true, rows, gh, l.F, 1f, x, l.F, wih, l.F, anyBias ? 1f : 0f, gates, gh);

        // The state entering the first step goes where the step reads it from.
        int first = l.Step(d, 0);
        int rowStride = t * h;
        for (int r = 0; r < n; r++)
        {
            var hs = states.Slice(r * rowStride + first * h, h);
            if (h0.IsEmpty) hs.Clear();
            else h0.Slice((d * n + r) * h, h).CopyTo(hs);
            if (!l.IsLstm) continue;
            var cs = extra.Slice(r * rowStride + first * h, h);
            if (c0.IsEmpty) cs.Clear();
            else c0.Slice((d * n + r) * h, h).CopyTo(cs);
        }

        var hn = result.Slice(l.OutputLength + d * n * h, n * h);
        var cn = l.IsLstm ? result.Slice(l.CellOffset + d * n * h, n * h) : default;
        var path = KernelPaths.Best;
        Tensor? recurrent = null, zeroBias = null;
        if (l.IsGru)
        {
            recurrent = Tensor.RentWorkspace(new Shape(n, gh));
            if (w.BiasHh is null)
            {
                zeroBias = Tensor.RentWorkspace(new Shape(gh));
                zeroBias.AsSpan().Clear();
            }
        }
        int gatesStride = t * gh, outStride = t * l.D * h;
        for (int k = 0; k < t; k++)
        {
            int step = l.Step(d, k);
            bool last = k == t - 1;
            int next = l.NextStep(d, step);
            var hPrev = states.Slice(step * h);
            var hNext = last ? hn : states.Slice(next * h);
            int hNextStride = last ? h : rowStride;
            var g = gates.Slice(step * gh);
            var y = result.Slice((step * l.D + d) * h);
            switch (l.Mode)
            {
                case RecurrentMode.Lstm:
                    Gemm.Sgemm(false, true, n, gh, h, 1f, hPrev, rowStride, whh, h, 1f, g, gatesStride);
                    LstmCell.Forward(n, h, step, lengths, g, gatesStride, hPrev, rowStride, extra.Slice(step * h), rowStride,
                        hNext, hNextStride, last ? cn : extra.Slice(next * h), hNextStride, y, outStride, path);
                    break;
                case RecurrentMode.Gru:
                    var rec = recurrent!.AsSpan();
                    Gemm.Sgemm(false, true, n, gh, h, 1f, hPrev, rowStride, whh, h, 0f, rec, gh);
                    GruCell.Forward(n, h, step, lengths, g, gatesStride, rec, gh, (w.BiasHh ?? zeroBias!).ReadOnlyData,
                        hPrev, rowStride, extra.Slice(step * h), rowStride, hNext, hNextStride, y, outStride, path);
                    break;
                default:
                    Gemm.Sgemm(false, true, n, gh, h, 1f, hPrev, rowStride, whh, h, 1f, g, gatesStride);
                    RnnCell.Forward(l.IsRelu, n, h, step, lengths, g, gatesStride, hPrev, rowStride, hNext, hNextStride, y, outStride, path);
                    break;
            }
        }
        if (recurrent is not null) Tensor.ReturnWorkspace(recurrent);
        if (zeroBias is not null) Tensor.ReturnWorkspace(zeroBias);
    }

    /// <summary>The name errors use for <paramref name="mode"/>, as PyTorch's module names.</summary>
    internal static string Name(RecurrentMode mode) => mode switch
    {
        RecurrentMode.Lstm => "LSTM",
        RecurrentMode.Gru => "GRU",
        RecurrentMode.RnnRelu => "RNN(relu)",
        _ => "RNN(tanh)",
    };

    private static RecurrentLayout Validate(Tensor input, RecurrentMode mode, RecurrentWeights forward, RecurrentWeights? reverse,
        Tensor? h0, Tensor? c0, ReadOnlySpan<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(forward.WeightIh);
        ArgumentNullException.ThrowIfNull(forward.WeightHh);
        string name = Name(mode);
        if (input.Rank != 3 || input.Shape[0] < 1 || input.Shape[1] < 1)
            throw new ShapeMismatchException($"{name} layer: input must be [N, T, F] (batch first, N ≥ 1, T ≥ 1), got shape {input.Shape}");
        int n = input.Shape[0], t = input.Shape[1], f = input.Shape[2];
        int gates = mode.GateCount();
        var whh = forward.WeightHh;
        if (whh.Rank != 2 || whh.Shape[1] < 1 || whh.Shape[0] != gates * whh.Shape[1])
            throw new ShapeMismatchException($"{name} layer: weight_hh must be [{gates}·H, H] with H ≥ 1, got shape {whh.Shape}");
        int h = whh.Shape[1];
        int dirs = reverse is null ? 1 : 2;
        CheckDirection(name, "", forward, gates, h, f);
        if (reverse is { } r) CheckDirection(name, "_reverse", r, gates, h, f);
        var stateShape = new Shape(dirs, n, h);
        if (h0 is not null && h0.Shape != stateShape)
            throw new ShapeMismatchException($"{name} layer: initial hidden state h0 must be [directions, N, H] = {stateShape} for input {input.Shape}, got shape {h0.Shape}");
        if (c0 is not null && mode != RecurrentMode.Lstm)
            throw new ArgumentException($"{name} layer: only an LSTM has a cell state; got c0 of shape {c0.Shape}", nameof(c0));
        if (c0 is not null && c0.Shape != stateShape)
            throw new ShapeMismatchException($"{name} layer: initial cell state c0 must be [directions, N, H] = {stateShape} for input {input.Shape}, got shape {c0.Shape}");
        if (!lengths.IsEmpty)
        {
            if (lengths.Length != n)
                throw new ShapeMismatchException($"{name} layer: {lengths.Length} lengths given for a batch of {n} rows (input {input.Shape})");
            for (int i = 0; i < n; i++)
                if (lengths[i] < 0 || lengths[i] > t)
                    throw new ArgumentOutOfRangeException(nameof(lengths), lengths[i], $"{name} layer: length {lengths[i]} of row {i} is outside [0, {t}] for input {input.Shape}");
        }
        return new RecurrentLayout(mode, n, t, f, h, dirs);
    }

    private static void CheckDirection(string name, string suffix, RecurrentWeights w, int gates, int h, int f)
    {
        ArgumentNullException.ThrowIfNull(w.WeightIh);
        ArgumentNullException.ThrowIfNull(w.WeightHh);
        var gh = new Shape(gates * h);
        if (w.WeightIh.Shape != new Shape(gates * h, f))
            throw new ShapeMismatchException($"{name} layer: weight_ih{suffix} must be [{gates * h}, {f}] ({gates}·H × input features), got shape {w.WeightIh.Shape}");
        if (w.WeightHh.Shape != new Shape(gates * h, h))
            throw new ShapeMismatchException($"{name} layer: weight_hh{suffix} must be [{gates * h}, {h}], got shape {w.WeightHh.Shape}");
        if (w.BiasIh is not null && w.BiasIh.Shape != gh)
            throw new ShapeMismatchException($"{name} layer: bias_ih{suffix} must be {gh}, got shape {w.BiasIh.Shape}");
        if (w.BiasHh is not null && w.BiasHh.Shape != gh)
            throw new ShapeMismatchException($"{name} layer: bias_hh{suffix} must be {gh}, got shape {w.BiasHh.Shape}");
    }
}
