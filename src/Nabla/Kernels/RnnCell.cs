using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// One timestep of an Elman RNN for a block of batch rows, h' = act(a) with act = tanh or ReLU and
/// a = W_ih·x + W_hh·h from the caller's GEMMs plus the bias b_ih + b_hh added here.
/// </summary>
/// <remarks>
/// Rows are strided and rows past their length carry their state, as in <see cref="LstmCell"/>.
/// </remarks>
internal static class RnnCell
{
    /// <summary>
    /// Forward: adds <paramref name="bias"/> [H] (b_ih + b_hh; zeros for none) to the pre-activations
    /// in <paramref name="gates"/> [rows, H], overwrites them with h' (what backward needs) and
    /// writes h' to <paramref name="hNext"/> and <paramref name="output"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(bool relu, int rows, int hidden, int step, ReadOnlySpan<int> lengths,
        Span<float> gates, int gatesStride, ReadOnlySpan<float> bias, ReadOnlySpan<float> hPrev, int hPrevStride,
        Span<float> hNext, int hNextStride, Span<float> output, int outputStride, KernelPath path)
    {
        GateMath.CheckRows(gates.Length, rows, gatesStride, hidden, nameof(gates));
        Guard.AtLeast(bias.Length, hidden, nameof(bias));
        GateMath.CheckRows(hPrev.Length, rows, hPrevStride, hidden, nameof(hPrev));
        GateMath.CheckRows(hNext.Length, rows, hNextStride, hidden, nameof(hNext));
        GateMath.CheckRows(output.Length, rows, outputStride, hidden, nameof(output));
        if (!lengths.IsEmpty) Guard.AtLeast(lengths.Length, rows, nameof(lengths));
        for (int r = 0; r < rows; r++)
        {
            var hn = hNext.Slice(r * hNextStride, hidden);
            var y = output.Slice(r * outputStride, hidden);
            if (!lengths.IsEmpty && lengths[r] <= step)
            {
                hPrev.Slice(r * hPrevStride, hidden).CopyTo(hn);
                y.Clear();
                continue;
            }
            ForwardRow(relu, hidden, ref MemoryMarshal.GetReference(gates.Slice(r * gatesStride, hidden)), ref MemoryMarshal.GetReference(bias),
                ref MemoryMarshal.GetReference(hn), ref MemoryMarshal.GetReference(y), path);
        }
    }

    // Each width in its own method: the emulated Vector512 path on a machine without AVX-512 is
    // large enough to exhaust the JIT's inlining budget and leave the gate math as calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRow(bool relu, int h, ref float g, ref float b, ref float hn, ref float y, KernelPath path)
    {
        int j = 0;
        if (path == KernelPath.Vector512) j = ForwardRow512(relu, h, ref g, ref b, ref hn, ref y, j);
        if (path >= KernelPath.Vector256) j = ForwardRow256(relu, h, ref g, ref b, ref hn, ref y, j);
        ForwardRowTail(relu, h, ref g, ref b, ref hn, ref y, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardRow512(bool relu, int h, ref float g, ref float b, ref float hn, ref float y, int j)
    {
        for (; j <= h - 16; j += 16)
        {
            nuint u = (nuint)j;
            var a = Vector512.LoadUnsafe(ref g, u) + Vector512.LoadUnsafe(ref b, u);
            var v = relu ? Vector512.Max(a, Vector512<float>.Zero) : GateMath.Tanh(a);
            v.StoreUnsafe(ref g, u);
            v.StoreUnsafe(ref hn, u);
            v.StoreUnsafe(ref y, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardRow256(bool relu, int h, ref float g, ref float b, ref float hn, ref float y, int j)
    {
        for (; j <= h - 8; j += 8)
        {
            nuint u = (nuint)j;
            var a = Vector256.LoadUnsafe(ref g, u) + Vector256.LoadUnsafe(ref b, u);
            var v = relu ? Vector256.Max(a, Vector256<float>.Zero) : GateMath.Tanh(a);
            v.StoreUnsafe(ref g, u);
            v.StoreUnsafe(ref hn, u);
            v.StoreUnsafe(ref y, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowTail(bool relu, int h, ref float g, ref float b, ref float hn, ref float y, int j)
    {
        for (; j < h; j++)
        {
            float a = Unsafe.Add(ref g, j) + Unsafe.Add(ref b, j);
            float v = relu ? MathF.Max(a, 0f) : GateMath.Tanh(a);
            Unsafe.Add(ref g, j) = v;
            Unsafe.Add(ref hn, j) = v;
            Unsafe.Add(ref y, j) = v;
        }
    }

    /// <summary>
    /// Backward: with dh = <paramref name="dh"/> + the output's gradient, reads h' saved in
    /// <paramref name="gates"/> and writes ∂L/∂a = dh∘(1 − h'²) (tanh) or dh∘[h' &gt; 0] (ReLU) to
    /// <paramref name="gateGrads"/> (zero for rows past their end; it may alias the gates), and
    /// zeroes dh of every active row (the caller's GEMM then adds ∂L/∂a·W_hh into it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(bool relu, int rows, int hidden, int step, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> gates, int gatesStride, Span<float> gateGrads, int gateGradsStride,
        ReadOnlySpan<float> dOutput, int dOutputStride, Span<float> dh, KernelPath path)
    {
        GateMath.CheckRows(gates.Length, rows, gatesStride, hidden, nameof(gates));
        GateMath.CheckRows(gateGrads.Length, rows, gateGradsStride, hidden, nameof(gateGrads));
        GateMath.CheckRows(dOutput.Length, rows, dOutputStride, hidden, nameof(dOutput));
        Guard.AtLeast(dh.Length, (long)rows * hidden, nameof(dh));
        if (!lengths.IsEmpty) Guard.AtLeast(lengths.Length, rows, nameof(lengths));
        for (int r = 0; r < rows; r++)
        {
            var dg = gateGrads.Slice(r * gateGradsStride, hidden);
            if (!lengths.IsEmpty && lengths[r] <= step)
            {
                dg.Clear();
                continue;
            }
            BackwardRow(relu, hidden, ref MemoryMarshal.GetReference(gates.Slice(r * gatesStride, hidden)), ref MemoryMarshal.GetReference(dg),
                ref MemoryMarshal.GetReference(dOutput.Slice(r * dOutputStride, hidden)),
                ref MemoryMarshal.GetReference(dh.Slice(r * hidden, hidden)), path);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRow(bool relu, int h, ref float g, ref float dg, ref float dy, ref float dh, KernelPath path)
    {
        int j = 0;
        if (path == KernelPath.Vector512) j = BackwardRow512(relu, h, ref g, ref dg, ref dy, ref dh, j);
        if (path >= KernelPath.Vector256) j = BackwardRow256(relu, h, ref g, ref dg, ref dy, ref dh, j);
        BackwardRowTail(relu, h, ref g, ref dg, ref dy, ref dh, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardRow512(bool relu, int h, ref float g, ref float dg, ref float dy, ref float dh, int j)
    {
        for (; j <= h - 16; j += 16)
        {
            nuint u = (nuint)j;
            var v = Vector512.LoadUnsafe(ref g, u);
            var d = Vector512.LoadUnsafe(ref dh, u) + Vector512.LoadUnsafe(ref dy, u);
            var r = relu ? Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), d, Vector512<float>.Zero)
                : d * (Vector512<float>.One - v * v);
            r.StoreUnsafe(ref dg, u);
            Vector512<float>.Zero.StoreUnsafe(ref dh, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardRow256(bool relu, int h, ref float g, ref float dg, ref float dy, ref float dh, int j)
    {
        for (; j <= h - 8; j += 8)
        {
            nuint u = (nuint)j;
            var v = Vector256.LoadUnsafe(ref g, u);
            var d = Vector256.LoadUnsafe(ref dh, u) + Vector256.LoadUnsafe(ref dy, u);
            var r = relu ? Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), d, Vector256<float>.Zero)
                : d * (Vector256<float>.One - v * v);
            r.StoreUnsafe(ref dg, u);
            Vector256<float>.Zero.StoreUnsafe(ref dh, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRowTail(bool relu, int h, ref float g, ref float dg, ref float dy, ref float dh, int j)
    {
        for (; j < h; j++)
        {
            float v = Unsafe.Add(ref g, j);
            float d = Unsafe.Add(ref dh, j) + Unsafe.Add(ref dy, j);
            Unsafe.Add(ref dg, j) = relu ? (v > 0f ? d : 0f) : d * (1f - v * v);
            Unsafe.Add(ref dh, j) = 0f;
        }
    }
}
