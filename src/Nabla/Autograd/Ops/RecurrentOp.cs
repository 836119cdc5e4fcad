using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// One recurrent layer (RNN, LSTM or GRU; one or two directions) over a whole batch-first sequence
/// as a single differentiable operation — PyTorch's <c>_VF.lstm</c> etc. for one layer.
/// </summary>
/// <remarks>
/// <para>Per direction the work is: the input projection of all timesteps as one GEMM (X·W_ihᵀ for
/// the N·T rows); then per timestep one recurrent GEMM (h·W_hhᵀ with W_hh packed once, added onto
/// that step's projection) and one fused gate kernel (<see cref="LstmCell"/>, <see cref="GruCell"/>,
/// <see cref="RnnCell"/>) that adds the biases, applies the activations and updates the state in
/// one pass; the batch rows are split over the threads for all T steps (<see cref="RecurrentSteps"/>).
/// Backward mirrors it: per timestep one fused kernel and one GEMM (∂a·W_hh), then every weight
/// gradient as one GEMM over the N·T rows. Nothing is allocated per timestep: every buffer is a
/// strided view into the one result and the one saved buffer (<see cref="RecurrentLayout"/>).</para>
/// <para>Lengths follow <c>pack_padded_sequence</c>: row r only runs steps t &lt; lengths[r]; past
/// them its output is zero and its state is carried, so h_n (and c_n) are the states after its
/// own last step, and the reverse direction starts at its last step.</para>
/// </remarks>
public static class RecurrentOp
{
    [ThreadStatic] private static int[]? _lengths;

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

            var result = Tensor.Scoped(new Shape(layout.ResultLength));
            var saved = records ? Tensor.Scoped(new Shape(layout.D * layout.DirectionBlock)) : Tensor.RentWorkspace(new Shape(layout.D * layout.DirectionBlock));
            var lengthArray = LengthArray(lengths);
            for (int d = 0; d < layout.D; d++)
                RunDirection(in layout, d, d == 0 ? w0 : w1, x.ReadOnlyData, h0c is null ? default : h0c.ReadOnlyData,
                    c0c is null ? default : c0c.ReadOnlyData, lengthArray, result, saved);
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

    /// <summary>
    /// Forward of direction <paramref name="d"/>: the input GEMM over all N·T rows, the entering
    /// state put in place, then the timestep loop (<see cref="RecurrentSteps"/>) with W_hh packed once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunDirection(in RecurrentLayout l, int d, RecurrentWeights w, ReadOnlySpan<float> x,
        ReadOnlySpan<float> h0, ReadOnlySpan<float> c0, int[]? lengths, Tensor result, Tensor saved)
    {
        int n = l.N, t = l.T, h = l.H, gh = l.GH, rows = n * t;
        var all = saved.AsSpan();
        var gates = all.Slice(l.GatesOffset(d), rows * gh);
        var states = all.Slice(l.StatesOffset(d), rows * h);
        var extra = l.IsLstm ? all.Slice(l.ExtraOffset(d), rows * h) : default;

        // Input projection of every timestep at once; the kernels add the biases per step (cheaper
        // than writing them into all N·T rows first and having the GEMM read them back).
        Gemm.Sgemm(false, true, rows, gh, l.F, 1f, x, l.F, w.WeightIh.ReadOnlyData, l.F, 0f, gates, gh);

        // The state entering the first step goes where that step reads it from.
        int first = l.Step(d, 0), rowStride = t * h;
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

        var whhT = PackedMatrix.Rent();
        whhT.Pack(true, h, gh, w.WeightHh.ReadOnlyData, h);
        // LSTM and RNN: one bias b_ih + b_hh. GRU: both apart (r multiplies W_hn·h + b_hn).
        var bias = Tensor.RentWorkspace(new Shape(gh));
        var b = bias.AsSpan();
        if (w.BiasIh is not null) w.BiasIh.ReadOnlyData.CopyTo(b);
        else b.Clear();
        Tensor? biasHh = null, work = null;
        if (l.IsGru)
        {
            biasHh = Tensor.RentWorkspace(new Shape(gh));
            if (w.BiasHh is not null) w.BiasHh.ReadOnlyData.CopyTo(biasHh.AsSpan());
            else biasHh.AsSpan().Clear();
            work = Tensor.RentWorkspace(new Shape(n, gh));
        }
        else if (w.BiasHh is not null)
        {
            Primitives.Add(b, w.BiasHh.ReadOnlyData, b);
        }
        RecurrentSteps.Forward(l, d, whhT, lengths, saved, result, bias, biasHh, work);
        PackedMatrix.Return(whhT);
        Tensor.ReturnWorkspace(bias);
        if (biasHh is not null) Tensor.ReturnWorkspace(biasHh);
        if (work is not null) Tensor.ReturnWorkspace(work);
    }

    /// <summary>The lengths as an array the step loop can hold (this thread's, reused), or null for none.</summary>
    private static int[]? LengthArray(ReadOnlySpan<int> lengths)
    {
        if (lengths.IsEmpty) return null;
        if (_lengths is null || _lengths.Length != lengths.Length) _lengths = new int[lengths.Length];
        lengths.CopyTo(_lengths);
        return _lengths;
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
