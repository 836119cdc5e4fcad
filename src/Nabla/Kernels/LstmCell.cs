using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// One timestep of an LSTM for a block of batch rows, forward and backward, each in one pass over
/// the gates (PyTorch's gate order i, f, g, o):
/// i = σ(aᵢ), f = σ(a_f), g = tanh(a_g), o = σ(a_o), c' = f∘c + i∘g, h' = o∘tanh(c'),
/// where a = W_ih·x + W_hh·h come from the caller's GEMMs and the bias b_ih + b_hh is added here.
/// </summary>
/// <remarks>
/// Rows are strided (row r of a matrix starts at r·stride), so the caller can point straight into
/// batch-first sequence buffers. A row whose length (<c>lengths[r]</c>; empty = every row is long
/// enough) is ≤ <c>step</c> is past its end, as in <c>pack_padded_sequence</c>: forward carries its
/// state unchanged and writes a zero output; backward writes zero gate gradients and leaves its
/// state gradients to flow through.
/// </remarks>
internal static class LstmCell
{
    /// <summary>
    /// Forward: reads the pre-activations without bias from <paramref name="gates"/> [rows, 4H], adds
    /// <paramref name="bias"/> [4H] (b_ih + b_hh; zeros for none) and overwrites them with the
    /// activated i, f, g, o (what backward needs); writes c', h' and the output h'.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int rows, int hidden, int step, ReadOnlySpan<int> lengths,
        Span<float> gates, int gatesStride, ReadOnlySpan<float> bias, ReadOnlySpan<float> hPrev, int hPrevStride, ReadOnlySpan<float> cPrev, int cPrevStride,
        Span<float> hNext, int hNextStride, Span<float> cNext, int cNextStride, Span<float> output, int outputStride, KernelPath path)
    {
        GateMath.CheckRows(gates.Length, rows, gatesStride, 4 * hidden, nameof(gates));
        Guard.AtLeast(bias.Length, 4L * hidden, nameof(bias));
        GateMath.CheckRows(hPrev.Length, rows, hPrevStride, hidden, nameof(hPrev));
        GateMath.CheckRows(cPrev.Length, rows, cPrevStride, hidden, nameof(cPrev));
        GateMath.CheckRows(hNext.Length, rows, hNextStride, hidden, nameof(hNext));
        GateMath.CheckRows(cNext.Length, rows, cNextStride, hidden, nameof(cNext));
        GateMath.CheckRows(output.Length, rows, outputStride, hidden, nameof(output));
        if (!lengths.IsEmpty) Guard.AtLeast(lengths.Length, rows, nameof(lengths));
        for (int r = 0; r < rows; r++)
        {
            var hn = hNext.Slice(r * hNextStride, hidden);
            var cn = cNext.Slice(r * cNextStride, hidden);
            var y = output.Slice(r * outputStride, hidden);
            var cp = cPrev.Slice(r * cPrevStride, hidden);
            if (!lengths.IsEmpty && lengths[r] <= step)
            {
                hPrev.Slice(r * hPrevStride, hidden).CopyTo(hn);
                cp.CopyTo(cn);
                y.Clear();
                continue;
            }
            ForwardRow(hidden, ref MemoryMarshal.GetReference(gates.Slice(r * gatesStride, 4 * hidden)), ref MemoryMarshal.GetReference(bias),
                ref MemoryMarshal.GetReference(cp), ref MemoryMarshal.GetReference(cn),
                ref MemoryMarshal.GetReference(hn), ref MemoryMarshal.GetReference(y), path);
        }
    }

    // Each width in its own method: the emulated Vector512 path on a machine without AVX-512 is
    // large enough to exhaust the JIT's inlining budget and leave the gate math as calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRow(int h, ref float g, ref float b, ref float cp, ref float cn, ref float hn, ref float y, KernelPath path)
    {
        int j = 0;
        if (path == KernelPath.Vector512) j = ForwardRow512(h, ref g, ref b, ref cp, ref cn, ref hn, ref y, j);
        if (path >= KernelPath.Vector256) j = ForwardRow256(h, ref g, ref b, ref cp, ref cn, ref hn, ref y, j);
        ForwardRowTail(h, ref g, ref b, ref cp, ref cn, ref hn, ref y, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardRow512(int h, ref float g, ref float b, ref float cp, ref float cn, ref float hn, ref float y, int j)
    {
        ref float gi = ref g;
        ref float gf = ref Unsafe.Add(ref g, h);
        ref float gg = ref Unsafe.Add(ref g, 2 * h);
        ref float go = ref Unsafe.Add(ref g, 3 * h);
        for (; j <= h - 16; j += 16)
        {
            nuint u = (nuint)j;
            var i = GateMath.Sigmoid(Vector512.LoadUnsafe(ref gi, u) + Vector512.LoadUnsafe(ref b, u));
            var f = GateMath.Sigmoid(Vector512.LoadUnsafe(ref gf, u) + Vector512.LoadUnsafe(ref b, u + (nuint)h));
            var gt = GateMath.Tanh(Vector512.LoadUnsafe(ref gg, u) + Vector512.LoadUnsafe(ref b, u + (nuint)(2 * h)));
            var o = GateMath.Sigmoid(Vector512.LoadUnsafe(ref go, u) + Vector512.LoadUnsafe(ref b, u + (nuint)(3 * h)));
            var c = f * Vector512.LoadUnsafe(ref cp, u) + i * gt;
            var hv = o * GateMath.Tanh(c);
            i.StoreUnsafe(ref gi, u);
            f.StoreUnsafe(ref gf, u);
            gt.StoreUnsafe(ref gg, u);
            o.StoreUnsafe(ref go, u);
            c.StoreUnsafe(ref cn, u);
            hv.StoreUnsafe(ref hn, u);
            hv.StoreUnsafe(ref y, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardRow256(int h, ref float g, ref float b, ref float cp, ref float cn, ref float hn, ref float y, int j)
    {
        ref float gi = ref g;
        ref float gf = ref Unsafe.Add(ref g, h);
        ref float gg = ref Unsafe.Add(ref g, 2 * h);
        ref float go = ref Unsafe.Add(ref g, 3 * h);
        for (; j <= h - 8; j += 8)
        {
            nuint u = (nuint)j;
            var i = GateMath.Sigmoid(Vector256.LoadUnsafe(ref gi, u) + Vector256.LoadUnsafe(ref b, u));
            var f = GateMath.Sigmoid(Vector256.LoadUnsafe(ref gf, u) + Vector256.LoadUnsafe(ref b, u + (nuint)h));
            var gt = GateMath.Tanh(Vector256.LoadUnsafe(ref gg, u) + Vector256.LoadUnsafe(ref b, u + (nuint)(2 * h)));
            var o = GateMath.Sigmoid(Vector256.LoadUnsafe(ref go, u) + Vector256.LoadUnsafe(ref b, u + (nuint)(3 * h)));
            var c = f * Vector256.LoadUnsafe(ref cp, u) + i * gt;
            var hv = o * GateMath.Tanh(c);
            i.StoreUnsafe(ref gi, u);
            f.StoreUnsafe(ref gf, u);
            gt.StoreUnsafe(ref gg, u);
            o.StoreUnsafe(ref go, u);
            c.StoreUnsafe(ref cn, u);
            hv.StoreUnsafe(ref hn, u);
            hv.StoreUnsafe(ref y, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowTail(int h, ref float g, ref float b, ref float cp, ref float cn, ref float hn, ref float y, int j)
    {
        ref float gi = ref g;
        ref float gf = ref Unsafe.Add(ref g, h);
        ref float gg = ref Unsafe.Add(ref g, 2 * h);
        ref float go = ref Unsafe.Add(ref g, 3 * h);
        for (; j < h; j++)
        {
            float i = GateMath.Sigmoid(Unsafe.Add(ref gi, j) + Unsafe.Add(ref b, j));
            float f = GateMath.Sigmoid(Unsafe.Add(ref gf, j) + Unsafe.Add(ref b, j + h));
            float gt = GateMath.Tanh(Unsafe.Add(ref gg, j) + Unsafe.Add(ref b, j + 2 * h));
            float o = GateMath.Sigmoid(Unsafe.Add(ref go, j) + Unsafe.Add(ref b, j + 3 * h));
            float c = f * Unsafe.Add(ref cp, j) + i * gt;
            float hv = o * GateMath.Tanh(c);
            Unsafe.Add(ref gi, j) = i;
            Unsafe.Add(ref gf, j) = f;
            Unsafe.Add(ref gg, j) = gt;
            Unsafe.Add(ref go, j) = o;
            Unsafe.Add(ref cn, j) = c;
            Unsafe.Add(ref hn, j) = hv;
            Unsafe.Add(ref y, j) = hv;
        }
    }

    /// <summary>
    /// Backward: with dh = <paramref name="dh"/> + the output's gradient and dc = <paramref name="dc"/>
    /// (gradients with respect to h' and c'), reads the activated gates saved by forward and writes
    /// the pre-activation gradients ∂L/∂a to <paramref name="gateGrads"/> (zero for rows past their
    /// end; it may alias <paramref name="gates"/>), sets dc to ∂L/∂c and zeroes dh of every active
    /// row (the caller's GEMM then adds ∂L/∂a·W_hh into it, giving ∂L/∂h).
    /// </summary>
    /// <remarks>
    /// With τ = tanh(c'): ∂o = dh∘τ; dc += dh∘o∘(1 − τ²); ∂i = dc∘g; ∂g = dc∘i; ∂f = dc∘c; ∂c = dc∘f;
    /// and through the activations ∂aᵢ = ∂i∘i(1 − i), ∂a_f = ∂f∘f(1 − f), ∂a_g = ∂g∘(1 − g²), ∂a_o = ∂o∘o(1 − o).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int rows, int hidden, int step, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> gates, int gatesStride, Span<float> gateGrads, int gateGradsStride,
        ReadOnlySpan<float> cPrev, int cPrevStride, ReadOnlySpan<float> cNext, int cNextStride,
        ReadOnlySpan<float> dOutput, int dOutputStride, Span<float> dh, Span<float> dc, KernelPath path)
    {
        GateMath.CheckRows(gates.Length, rows, gatesStride, 4 * hidden, nameof(gates));
        GateMath.CheckRows(gateGrads.Length, rows, gateGradsStride, 4 * hidden, nameof(gateGrads));
        GateMath.CheckRows(cPrev.Length, rows, cPrevStride, hidden, nameof(cPrev));
        GateMath.CheckRows(cNext.Length, rows, cNextStride, hidden, nameof(cNext));
        GateMath.CheckRows(dOutput.Length, rows, dOutputStride, hidden, nameof(dOutput));
        Guard.AtLeast(dh.Length, (long)rows * hidden, nameof(dh));
        Guard.AtLeast(dc.Length, (long)rows * hidden, nameof(dc));
        if (!lengths.IsEmpty) Guard.AtLeast(lengths.Length, rows, nameof(lengths));
        for (int r = 0; r < rows; r++)
        {
            var dg = gateGrads.Slice(r * gateGradsStride, 4 * hidden);
            if (!lengths.IsEmpty && lengths[r] <= step)
            {
                dg.Clear();
                continue;
            }
            BackwardRow(hidden, ref MemoryMarshal.GetReference(gates.Slice(r * gatesStride, 4 * hidden)), ref MemoryMarshal.GetReference(dg),
                ref MemoryMarshal.GetReference(cPrev.Slice(r * cPrevStride, hidden)),
                ref MemoryMarshal.GetReference(cNext.Slice(r * cNextStride, hidden)),
                ref MemoryMarshal.GetReference(dOutput.Slice(r * dOutputStride, hidden)),
                ref MemoryMarshal.GetReference(dh.Slice(r * hidden, hidden)),
                ref MemoryMarshal.GetReference(dc.Slice(r * hidden, hidden)), path);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRow(int h, ref float g, ref float dg, ref float cp, ref float cn, ref float dy, ref float dh, ref float dc, KernelPath path)
    {
        int j = 0;
        if (path == KernelPath.Vector512) j = BackwardRow512(h, ref g, ref dg, ref cp, ref cn, ref dy, ref dh, ref dc, j);
        if (path >= KernelPath.Vector256) j = BackwardRow256(h, ref g, ref dg, ref cp, ref cn, ref dy, ref dh, ref dc, j);
        BackwardRowTail(h, ref g, ref dg, ref cp, ref cn, ref dy, ref dh, ref dc, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardRow512(int h, ref float g, ref float dg, ref float cp, ref float cn, ref float dy, ref float dh, ref float dc, int j)
    {
        ref float gi = ref g;
        ref float gf = ref Unsafe.Add(ref gi, h);
        ref float gg = ref Unsafe.Add(ref gi, 2 * h);
        ref float go = ref Unsafe.Add(ref gi, 3 * h);
        ref float di = ref dg;
        ref float df = ref Unsafe.Add(ref dg, h);
        ref float dgg = ref Unsafe.Add(ref dg, 2 * h);
        ref float dgo = ref Unsafe.Add(ref dg, 3 * h);
        var one = Vector512<float>.One;
        for (; j <= h - 16; j += 16)
        {
            nuint u = (nuint)j;
            var i = Vector512.LoadUnsafe(ref gi, u);
            var f = Vector512.LoadUnsafe(ref gf, u);
            var gt = Vector512.LoadUnsafe(ref gg, u);
            var o = Vector512.LoadUnsafe(ref go, u);
            var tau = GateMath.Tanh(Vector512.LoadUnsafe(ref cn, u));
            var dhv = Vector512.LoadUnsafe(ref dh, u) + Vector512.LoadUnsafe(ref dy, u);
            var dcv = Vector512.LoadUnsafe(ref dc, u) + dhv * o * (one - tau * tau);
            (dcv * gt * i * (one - i)).StoreUnsafe(ref di, u);
            (dcv * Vector512.LoadUnsafe(ref cp, u) * f * (one - f)).StoreUnsafe(ref df, u);
            (dcv * i * (one - gt * gt)).StoreUnsafe(ref dgg, u);
            (dhv * tau * o * (one - o)).StoreUnsafe(ref dgo, u);
            (dcv * f).StoreUnsafe(ref dc, u);
            Vector512<float>.Zero.StoreUnsafe(ref dh, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardRow256(int h, ref float g, ref float dg, ref float cp, ref float cn, ref float dy, ref float dh, ref float dc, int j)
    {
        ref float gi = ref g;
        ref float gf = ref Unsafe.Add(ref gi, h);
        ref float gg = ref Unsafe.Add(ref gi, 2 * h);
        ref float go = ref Unsafe.Add(ref gi, 3 * h);
        ref float di = ref dg;
        ref float df = ref Unsafe.Add(ref dg, h);
        ref float dgg = ref Unsafe.Add(ref dg, 2 * h);
        ref float dgo = ref Unsafe.Add(ref dg, 3 * h);
        var one = Vector256<float>.One;
        for (; j <= h - 8; j += 8)
        {
            nuint u = (nuint)j;
            var i = Vector256.LoadUnsafe(ref gi, u);
            var f = Vector256.LoadUnsafe(ref gf, u);
            var gt = Vector256.LoadUnsafe(ref gg, u);
            var o = Vector256.LoadUnsafe(ref go, u);
            var tau = GateMath.Tanh(Vector256.LoadUnsafe(ref cn, u));
            var dhv = Vector256.LoadUnsafe(ref dh, u) + Vector256.LoadUnsafe(ref dy, u);
            var dcv = Vector256.LoadUnsafe(ref dc, u) + dhv * o * (one - tau * tau);
            (dcv * gt * i * (one - i)).StoreUnsafe(ref di, u);
            (dcv * Vector256.LoadUnsafe(ref cp, u) * f * (one - f)).StoreUnsafe(ref df, u);
            (dcv * i * (one - gt * gt)).StoreUnsafe(ref dgg, u);
            (dhv * tau * o * (one - o)).StoreUnsafe(ref dgo, u);
            (dcv * f).StoreUnsafe(ref dc, u);
            Vector256<float>.Zero.StoreUnsafe(ref dh, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRowTail(int h, ref float g, ref float dg, ref float cp, ref float cn, ref float dy, ref float dh, ref float dc, int j)
    {
        ref float gi = ref g;
        ref float gf = ref Unsafe.Add(ref gi, h);
        ref float gg = ref Unsafe.Add(ref gi, 2 * h);
        ref float go = ref Unsafe.Add(ref gi, 3 * h);
        ref float di = ref dg;
        ref float df = ref Unsafe.Add(ref dg, h);
        ref float dgg = ref Unsafe.Add(ref dg, 2 * h);
        ref float dgo = ref Unsafe.Add(ref dg, 3 * h);
        for (; j < h; j++)
        {
            float i = Unsafe.Add(ref gi, j), f = Unsafe.Add(ref gf, j), gt = Unsafe.Add(ref gg, j), o = Unsafe.Add(ref go, j);
            float tau = GateMath.Tanh(Unsafe.Add(ref cn, j));
            float dhv = Unsafe.Add(ref dh, j) + Unsafe.Add(ref dy, j);
            float dcv = Unsafe.Add(ref dc, j) + dhv * o * (1f - tau * tau);
            Unsafe.Add(ref di, j) = dcv * gt * i * (1f - i);
            Unsafe.Add(ref df, j) = dcv * Unsafe.Add(ref cp, j) * f * (1f - f);
            Unsafe.Add(ref dgg, j) = dcv * i * (1f - gt * gt);
            Unsafe.Add(ref dgo, j) = dhv * tau * o * (1f - o);
            Unsafe.Add(ref dc, j) = dcv * f;
            Unsafe.Add(ref dh, j) = 0f;
        }
    }
}
