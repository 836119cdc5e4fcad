using System.Runtime.CompilerServices;
using Nabla.Kernels;
using Nabla.Tensors;

namespace Nabla.Autograd;

/// <summary>
/// Backward of <see cref="RecurrentOp"/>: backpropagation through time, one fused kernel and one
/// GEMM per timestep, then each weight gradient as one GEMM over all N·T rows.
/// </summary>
/// <remarks>
/// Inputs: 0 the sequence x; 1–4 W_ih, W_hh, b_ih, b_hh of the forward direction; 5–8 those of
/// the reverse direction; 9 h0; 10 c0 (absent ones are null). The running state gradients ∂L/∂h
/// and ∂L/∂c start at the gradients of h_n and c_n; at step t the kernel adds the output's
/// gradient, writes the gate gradients ∂a_t and leaves ∂L/∂c_{t−1}, and the GEMM adds ∂a_t·W_hh to
/// give ∂L/∂h_{t−1}. Rows past their length get ∂a = 0, so their state gradient flows through
/// unchanged and their inputs receive zero. Saved buffers are only read, so a graph kept with
/// <c>retainGraph</c> can run backward again.
/// </remarks>
internal sealed class RecurrentNode : Node<RecurrentNode>
{
    private RecurrentLayout _layout;
    private Tensor? _saved;
    private int[] _lengths = [];
    private bool _hasLengths;

    public override string Name => _layout.Mode switch
    {
        RecurrentMode.Lstm => "LstmBackward",
        RecurrentMode.Gru => "GruBackward",
        _ => "RnnBackward",
    };

    /// <summary>Keeps what backward needs; copies the lengths into this pooled node's own array.</summary>
    internal void Prepare(in RecurrentLayout layout, Tensor saved, ReadOnlySpan<int> lengths)
    {
        _layout = layout;
        _saved = saved;
        _hasLengths = !lengths.IsEmpty;
        if (_hasLengths)
        {
            if (_lengths.Length < lengths.Length) _lengths = new int[lengths.Length];
            lengths.CopyTo(_lengths);
        }
    }

    protected override void ClearSaved() => _saved = null;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected internal override void Backward(Tensor grad)
    {
        var l = _layout;
        int n = l.N, t = l.T, h = l.H, gh = l.GH, rows = n * t;
        var saved = _saved!;
        var savedData = saved.ReadOnlyData;
        var x = Input(0).ReadOnlyData;

        // Per direction: ∂a (the x side for a GRU) and, for a GRU, the h side; the state gradients
        // of both directions are kept until the end so h0's and c0's buffers are written once.
        var gateGrads = Tensor.RentWorkspace(new Shape(rows * gh));
        var hiddenGrads = l.IsGru ? Tensor.RentWorkspace(new Shape(rows * gh)) : null;
        var dh = Tensor.RentWorkspace(new Shape(l.StateLength));
        var dc = l.IsLstm ? Tensor.RentWorkspace(new Shape(l.StateLength)) : null;
        var g = grad.ReadOnlyData;
        g.Slice(l.OutputLength, l.StateLength).CopyTo(dh.AsSpan());
        if (dc is not null) g.Slice(l.CellOffset, l.StateLength).CopyTo(dc.AsSpan());
        var whh = PackedMatrix.Rent();
        var biasSums = Tensor.RentWorkspace(new Shape(gh));

        for (int d = 0; d < l.D; d++)
        {
            int at = 1 + 4 * d;
            whh.Pack(false, gh, h, Input(at + 1).ReadOnlyData, h);
            RecurrentSteps.Backward(l, d, whh, _hasLengths ? _lengths : null, saved, Output!, grad, gateGrads, hiddenGrads, dh, dc);

            // ∂W_ih = ∂aₓᵀ·X and ∂W_hh = ∂a_hᵀ·H_prev straight into the gradients' [G·H, ·] layout (the
            // product accumulates when the gradient already holds a value); ∂b = column sums; ∂X = ∂aₓ·W_ih.
            // Measured against Xᵀ·∂aₓ plus a transposing pass (lstm-step shapes, under load): the
            // [G·H]-row orientation was 5-7 % faster per product and needs no [max(F, H), G·H] buffer or pass.
            var dgx = gateGrads.ReadOnlyData;
            var dgh = hiddenGrads is null ? dgx : hiddenGrads.ReadOnlyData;
            if (Needs(at))
            {
                var dw = GradFor(at, out bool acc).AsSpan();
                Gemm.Sgemm(true, false, gh, l.F, rows, 1f, dgx, gh, x, l.F, acc ? 1f : 0f, dw, l.F);
            }
            if (Needs(at + 1))
            {
                var dw = GradFor(at + 1, out bool acc).AsSpan();
                Gemm.Sgemm(true, false, gh, h, rows, 1f, dgh, gh, savedData.Slice(l.StatesOffset(d), rows * h), h, acc ? 1f : 0f, dw, h);
            }
            bool needBiasIh = InputCount > at + 2 && Needs(at + 2), needBiasHh = InputCount > at + 3 && Needs(at + 3);
            if (l.IsGru || !(needBiasIh && needBiasHh))
            {
                if (needBiasIh) ColumnSums.Compute(dgx, rows, gh, GradFor(at + 2, out bool acc).AsSpan(), acc);
                if (needBiasHh) ColumnSums.Compute(dgh, rows, gh, GradFor(at + 3, out bool acc).AsSpan(), acc);
            }
            else
            {
                // LSTM and RNN: b_ih and b_hh enter the same sum, so they share one gradient.
                ColumnSums.Compute(dgx, rows, gh, biasSums.AsSpan(), false);
                ShapeOps.AddOrCopy(biasSums.ReadOnlyData, GradFor(at + 2, out bool accIh).AsSpan(), accIh);
                ShapeOps.AddOrCopy(biasSums.ReadOnlyData, GradFor(at + 3, out bool accHh).AsSpan(), accHh);
            }
            if (Needs(0))
            {
                var dx = GradFor(0, out bool acc).AsSpan();
                Gemm.Sgemm(false, false, rows, l.F, gh, 1f, dgx, gh, Input(at).ReadOnlyData, l.F, acc ? 1f : 0f, dx, l.F);
            }
        }

        if (InputCount > 9 && Needs(9)) ShapeOps.AddOrCopy(dh.AsSpan(), GradFor(9, out bool acc).AsSpan(), acc);
        if (InputCount > 10 && Needs(10)) ShapeOps.AddOrCopy(dc!.AsSpan(), GradFor(10, out bool acc).AsSpan(), acc);
        PackedMatrix.Return(whh);
        Tensor.ReturnWorkspace(biasSums);
        Tensor.ReturnWorkspace(gateGrads);
        if (hiddenGrads is not null) Tensor.ReturnWorkspace(hiddenGrads);
        Tensor.ReturnWorkspace(dh);
        if (dc is not null) Tensor.ReturnWorkspace(dc);
    }
}
