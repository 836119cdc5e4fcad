using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// The timestep loop of one direction of a recurrent layer, forward or backward, split over the
/// batch rows: rows never interact in a recurrence, so each <see cref="WorkerPool"/> piece runs
/// all T steps for its own block of rows (one packed-W_hh product and one fused kernel per step)
/// with no synchronization between steps. Every row's arithmetic is the same whichever piece it is
/// in, so the thread count never changes a bit.
/// </summary>
/// <remarks>
/// One cached instance per thread; it holds array references and offsets (spans cannot be
/// fields) and forgets them after each run.
/// </remarks>
internal sealed class RecurrentSteps : IParallelWork
{
    [ThreadStatic] private static RecurrentSteps? _cached;

    private RecurrentLayout _l;
    private int _d, _rowsPerPiece;
    private bool _backward;
    private PackedMatrix? _whh;
    private int[]? _lengths;
    // Saved buffer (gates, states entering each step, LSTM cell / GRU W_hn·h + b_hn), the result
    // (output, h_n, c_n), and for backward the result's gradient and the gradient buffers.
    private float[]? _saved, _result, _bias, _biasHh, _work, _grad, _gateGrads, _hiddenGrads, _dh, _dc;
    private int _savedAt, _resultAt, _gradAt;

    /// <summary>Forward of direction <paramref name="d"/> from the states already placed at its first step.</summary>
    /// <remarks>
    /// <c>bias</c> is b_ih + b_hh (LSTM, RNN) or b_ih (GRU), <c>biasHh</c> the GRU's b_hh (zeros for
    /// none), <c>gruWork</c> the GRU's [N, 3H] buffer for W_hh·h; all three are workspaces (offset 0).
    /// </remarks>
    public static void Forward(in RecurrentLayout l, int d, PackedMatrix whhT, int[]? lengths, Tensor saved, Tensor result,
        Tensor bias, Tensor? biasHh, Tensor? gruWork)
    {
        var s = Prepare(l, d, whhT, lengths, saved, result);
        s._backward = false;
        s._bias = bias.Buffer;
        s._biasHh = biasHh?.Buffer;
        s._work = gruWork?.Buffer;
        s.Run();
    }

    /// <summary>Backward of direction <paramref name="d"/>: fills the gate gradients and leaves ∂L/∂h0 (∂L/∂c0) in dh (dc).</summary>
    public static void Backward(in RecurrentLayout l, int d, PackedMatrix whh, int[]? lengths, Tensor saved, Tensor result, Tensor grad,
        Tensor gateGrads, Tensor? hiddenGrads, Tensor dh, Tensor? dc)
    {
        var s = Prepare(l, d, whh, lengths, saved, result);
        s._backward = true;
        (s._grad, s._gradAt) = (grad.Buffer, grad.Offset);
        s._gateGrads = gateGrads.Buffer;
        s._hiddenGrads = hiddenGrads?.Buffer;
        s._dh = dh.Buffer;
        s._dc = dc?.Buffer;
        s.Run();
    }

    private static RecurrentSteps Prepare(in RecurrentLayout l, int d, PackedMatrix whh, int[]? lengths, Tensor saved, Tensor result)
    {
        var s = _cached ??= new RecurrentSteps();
        s._l = l;
        s._d = d;
        s._whh = whh;
        s._lengths = lengths;
        (s._saved, s._savedAt) = (saved.Buffer, saved.Offset);
        (s._result, s._resultAt) = (result.Buffer, result.Offset);
        return s;
    }

    private void Run()
    {
        // Pieces of whole register tiles (Gemm tile rows), at most one per thread.
        int mr = Gemm.Tile(KernelPaths.Best).Mr;
        int pieces = Math.Clamp(_l.N / (2 * mr), 1, WorkerPool.MaxThreads);
        _rowsPerPiece = ((_l.N + pieces - 1) / pieces + mr - 1) / mr * mr;
        pieces = (_l.N + _rowsPerPiece - 1) / _rowsPerPiece;
        try
        {
            WorkerPool.Run(this, pieces);
        }
        finally
        {
            _whh = null;
            _lengths = null;
            _saved = _result = _bias = _biasHh = _work = _grad = _gateGrads = _hiddenGrads = _dh = _dc = null;
        }
    }

    /// <inheritdoc/>
    public void Execute(int index)
    {
        int r0 = index * _rowsPerPiece;
        int rows = Math.Min(_rowsPerPiece, _l.N - r0);
        if (_backward) BackwardRows(r0, rows);
        else ForwardRows(r0, rows);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardRows(int r0, int n)
    {
        var l = _l;
        int t = l.T, h = l.H, gh = l.GH, d = _d;
        int rowStride = t * h, gatesStride = t * gh, outStride = t * l.D * h;
        var gates = _saved.AsSpan(_savedAt + l.GatesOffset(d) + r0 * gatesStride);
        var states = _saved.AsSpan(_savedAt + l.StatesOffset(d) + r0 * rowStride);
        var extra = l.IsLstm || l.IsGru ? _saved.AsSpan(_savedAt + l.ExtraOffset(d) + r0 * rowStride) : default;
        var output = _result.AsSpan(_resultAt + r0 * outStride + d * h);
        var hn = _result.AsSpan(_resultAt + l.OutputLength + (d * l.N + r0) * h, n * h);
        var cn = l.IsLstm ? _result.AsSpan(_resultAt + l.CellOffset + (d * l.N + r0) * h, n * h) : default;
        var rec = l.IsGru ? _work.AsSpan(r0 * gh, n * gh) : default;
        ReadOnlySpan<float> bias = _bias.AsSpan(0, gh);
        ReadOnlySpan<float> biasHh = l.IsGru ? _biasHh.AsSpan(0, gh) : default;
        var lengths = _lengths is null ? default : _lengths.AsSpan(r0, n);
        var path = KernelPaths.Best;
        var whh = _whh!;
        for (int k = 0; k < t; k++)
        {
            int step = l.Step(d, k);
            bool last = k == t - 1;
            int next = l.NextStep(d, step);
            var hPrev = states.Slice(step * h);
            var hNext = last ? hn : states.Slice(next * h);
            int nextStride = last ? h : rowStride;
            var g = gates.Slice(step * gh);
            var y = output.Slice(step * l.D * h);
            switch (l.Mode)
            {
                case RecurrentMode.Lstm:
                    whh.Multiply(n, hPrev, rowStride, 1f, g, gatesStride);
                    LstmCell.Forward(n, h, step, lengths, g, gatesStride, bias, hPrev, rowStride, extra.Slice(step * h), rowStride,
                        hNext, nextStride, last ? cn : extra.Slice(next * h), nextStride, y, outStride, path);
                    break;
                case RecurrentMode.Gru:
                    whh.Multiply(n, hPrev, rowStride, 0f, rec, gh);
                    GruCell.Forward(n, h, step, lengths, g, gatesStride, bias, rec, gh, biasHh, hPrev, rowStride,
                        extra.Slice(step * h), rowStride, hNext, nextStride, y, outStride, path);
                    break;
                default:
                    whh.Multiply(n, hPrev, rowStride, 1f, g, gatesStride);
                    RnnCell.Forward(l.IsRelu, n, h, step, lengths, g, gatesStride, bias, hPrev, rowStride, hNext, nextStride, y, outStride, path);
                    break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BackwardRows(int r0, int n)
    {
        var l = _l;
        int t = l.T, h = l.H, gh = l.GH, d = _d;
        int rowStride = t * h, gatesStride = t * gh, outStride = t * l.D * h;
        ReadOnlySpan<float> gates = _saved.AsSpan(_savedAt + l.GatesOffset(d) + r0 * gatesStride);
        ReadOnlySpan<float> states = _saved.AsSpan(_savedAt + l.StatesOffset(d) + r0 * rowStride);
        ReadOnlySpan<float> extra = l.IsLstm || l.IsGru ? _saved.AsSpan(_savedAt + l.ExtraOffset(d) + r0 * rowStride) : default;
        ReadOnlySpan<float> cnFinal = l.IsLstm ? _result.AsSpan(_resultAt + l.CellOffset + (d * l.N + r0) * h, n * h) : default;
        ReadOnlySpan<float> dOutput = _grad.AsSpan(_gradAt + r0 * outStride + d * h);
        var dgx = _gateGrads.AsSpan(r0 * gatesStride);
        var dgh = l.IsGru ? _hiddenGrads.AsSpan(r0 * gatesStride) : dgx;
        var dh = _dh.AsSpan((d * l.N + r0) * h, n * h);
        var dc = l.IsLstm ? _dc.AsSpan((d * l.N + r0) * h, n * h) : default;
        var lengths = _lengths is null ? default : _lengths.AsSpan(r0, n);
        var path = KernelPaths.Best;
        var whh = _whh!;
        for (int k = t - 1; k >= 0; k--)
        {
            int step = l.Step(d, k);
            bool last = k == t - 1;
            var dy = dOutput.Slice(step * l.D * h);
            switch (l.Mode)
            {
                case RecurrentMode.Lstm:
                    var cNext = last ? cnFinal : extra.Slice(l.NextStep(d, step) * h);
                    LstmCell.Backward(n, h, step, lengths, gates.Slice(step * gh), gatesStride, dgx.Slice(step * gh), gatesStride,
                        extra.Slice(step * h), rowStride, cNext, last ? h : rowStride, dy, outStride, dh, dc, path);
                    break;
                case RecurrentMode.Gru:
                    GruCell.Backward(n, h, step, lengths, gates.Slice(step * gh), gatesStride, dgx.Slice(step * gh), gatesStride,
                        extra.Slice(step * h), rowStride, states.Slice(step * h), rowStride, dy, outStride, dh,
                        dgh.Slice(step * gh), gatesStride, path);
                    break;
                default:
                    RnnCell.Backward(l.IsRelu, n, h, step, lengths, gates.Slice(step * gh), gatesStride, dgx.Slice(step * gh), gatesStride,
                        dy, outStride, dh, path);
                    break;
            }
            whh.Multiply(n, dgh.Slice(step * gh), gatesStride, 1f, dh, h);
        }
    }
}
