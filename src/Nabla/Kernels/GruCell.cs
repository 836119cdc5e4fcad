using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// One timestep of a GRU for a block of batch rows, forward and backward, each in one pass over
/// the gates (PyTorch's order r, z, n):
/// r = σ(xᵣ + hᵣ), z = σ(x_z + h_z), n = tanh(x_n + r∘h_n), h' = (1 − z)∘n + z∘h,
/// where x = W_ih·x + b_ih and h = W_hh·h + b_hh: the products come from the caller's GEMMs and both
/// biases are added here (b_hh must stay apart from b_ih because r multiplies h_n including its bias).
/// </summary>
/// <remarks>Rows are strided and rows past their length carry their state, as in <see cref="LstmCell"/>.</remarks>
internal static class GruCell
{
    /// <summary>
    /// Forward: reads the input pre-activations W_ih·x without bias from <paramref name="gates"/>
    /// [rows, 3H], adds <paramref name="biasIh"/> [3H], and overwrites them with the activated r, z, n;
    /// <paramref name="recurrent"/> [rows, 3H] holds W_hh·h without bias, <paramref name="biasHh"/>
    /// [3H] is b_hh (zeros for none, either bias). Saves
    /// h_n = W_hn·h + b_hn in <paramref name="hiddenN"/> for backward and writes h' and the output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int rows, int hidden, int step, ReadOnlySpan<int> lengths,
        Span<float> gates, int gatesStride, ReadOnlySpan<float> biasIh, ReadOnlySpan<float> recurrent, int recurrentStride, ReadOnlySpan<float> biasHh,
        ReadOnlySpan<float> hPrev, int hPrevStride, Span<float> hiddenN, int hiddenNStride,
        Span<float> hNext, int hNextStride, Span<float> output, int outputStride, KernelPath path)
    {
        GateMath.CheckRows(gates.Length, rows, gatesStride, 3 * hidden, nameof(gates));
        GateMath.CheckRows(recurrent.Length, rows, recurrentStride, 3 * hidden, nameof(recurrent));
        Guard.AtLeast(biasIh.Length, 3L * hidden, nameof(biasIh));
        Guard.AtLeast(biasHh.Length, 3L * hidden, nameof(biasHh));
        GateMath.CheckRows(hPrev.Length, rows, hPrevStride, hidden, nameof(hPrev));
        GateMath.CheckRows(hiddenN.Length, rows, hiddenNStride, hidden, nameof(hiddenN));
        GateMath.CheckRows(hNext.Length, rows, hNextStride, hidden, nameof(hNext));
        GateMath.CheckRows(output.Length, rows, outputStride, hidden, nameof(output));
        if (!lengths.IsEmpty) Guard.AtLeast(lengths.Length, rows, nameof(lengths));
        for (int r = 0; r < rows; r++)
        {
            var hp = hPrev.Slice(r * hPrevStride, hidden);
            var hn = hNext.Slice(r * hNextStride, hidden);
            var y = output.Slice(r * outputStride, hidden);
            if (!lengths.IsEmpty && lengths[r] <= step)
            {
                hp.CopyTo(hn);
                y.Clear();
                continue;
            }
            ForwardRow(hidden, ref MemoryMarshal.GetReference(gates.Slice(r * gatesStride, 3 * hidden)), ref MemoryMarshal.GetReference(biasIh),
                ref MemoryMarshal.GetReference(recurrent.Slice(r * recurrentStride, 3 * hidden)),
                ref MemoryMarshal.GetReference(biasHh), ref MemoryMarshal.GetReference(hp),
                ref MemoryMarshal.GetReference(hiddenN.Slice(r * hiddenNStride, hidden)),
                ref MemoryMarshal.GetReference(hn), ref MemoryMarshal.GetReference(y), path);
        }
    }

    // Each width in its own method: the emulated Vector512 path on a machine without AVX-512 is
    // large enough to exhaust the JIT's inlining budget and leave the gate math as calls.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRow(int h, ref float g, ref float bx, ref float rec, ref float b, ref float hp, ref float nhOut, ref float hn, ref float y, KernelPath path)
    {
        int j = 0;
        if (path == KernelPath.Vector512) j = ForwardRow512(h, ref g, ref bx, ref rec, ref b, ref hp, ref nhOut, ref hn, ref y, j);
        if (path >= KernelPath.Vector256) j = ForwardRow256(h, ref g, ref bx, ref rec, ref b, ref hp, ref nhOut, ref hn, ref y, j);
        ForwardRowTail(h, ref g, ref bx, ref rec, ref b, ref hp, ref nhOut, ref hn, ref y, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardRow512(int h, ref float g, ref float bx, ref float rec, ref float b, ref float hp, ref float nhOut, ref float hn, ref float y, int j)
    {
        ref float gr = ref g;
        ref float gz = ref Unsafe.Add(ref g, h);
        ref float gn = ref Unsafe.Add(ref g, 2 * h);
        ref float rr = ref rec;
        ref float rz = ref Unsafe.Add(ref rec, h);
        ref float rn = ref Unsafe.Add(ref rec, 2 * h);
        ref float br = ref b;
        ref float bz = ref Unsafe.Add(ref b, h);
        ref float bn = ref Unsafe.Add(ref b, 2 * h);
        for (; j <= h - 16; j += 16)
        {
            nuint u = (nuint)j;
            var r = GateMath.Sigmoid((Vector512.LoadUnsafe(ref gr, u) + Vector512.LoadUnsafe(ref bx, u)) + (Vector512.LoadUnsafe(ref rr, u) + Vector512.LoadUnsafe(ref br, u)));
            var z = GateMath.Sigmoid((Vector512.LoadUnsafe(ref gz, u) + Vector512.LoadUnsafe(ref bx, u + (nuint)h)) + (Vector512.LoadUnsafe(ref rz, u) + Vector512.LoadUnsafe(ref bz, u)));
            var nh = Vector512.LoadUnsafe(ref rn, u) + Vector512.LoadUnsafe(ref bn, u);
            var n = GateMath.Tanh((Vector512.LoadUnsafe(ref gn, u) + Vector512.LoadUnsafe(ref bx, u + (nuint)(2 * h))) + r * nh);
            var hv = (Vector512<float>.One - z) * n + z * Vector512.LoadUnsafe(ref hp, u);
            r.StoreUnsafe(ref gr, u);
            z.StoreUnsafe(ref gz, u);
            n.StoreUnsafe(ref gn, u);
            nh.StoreUnsafe(ref nhOut, u);
            hv.StoreUnsafe(ref hn, u);
            hv.StoreUnsafe(ref y, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int ForwardRow256(int h, ref float g, ref float bx, ref float rec, ref float b, ref float hp, ref float nhOut, ref float hn, ref float y, int j)
    {
        ref float gr = ref g;
        ref float gz = ref Unsafe.Add(ref g, h);
        ref float gn = ref Unsafe.Add(ref g, 2 * h);
        ref float rr = ref rec;
        ref float rz = ref Unsafe.Add(ref rec, h);
        ref float rn = ref Unsafe.Add(ref rec, 2 * h);
        ref float br = ref b;
        ref float bz = ref Unsafe.Add(ref b, h);
        ref float bn = ref Unsafe.Add(ref b, 2 * h);
        for (; j <= h - 8; j += 8)
        {
            nuint u = (nuint)j;
            var r = GateMath.Sigmoid((Vector256.LoadUnsafe(ref gr, u) + Vector256.LoadUnsafe(ref bx, u)) + (Vector256.LoadUnsafe(ref rr, u) + Vector256.LoadUnsafe(ref br, u)));
            var z = GateMath.Sigmoid((Vector256.LoadUnsafe(ref gz, u) + Vector256.LoadUnsafe(ref bx, u + (nuint)h)) + (Vector256.LoadUnsafe(ref rz, u) + Vector256.LoadUnsafe(ref bz, u)));
            var nh = Vector256.LoadUnsafe(ref rn, u) + Vector256.LoadUnsafe(ref bn, u);
            var n = GateMath.Tanh((Vector256.LoadUnsafe(ref gn, u) + Vector256.LoadUnsafe(ref bx, u + (nuint)(2 * h))) + r * nh);
            var hv = (Vector256<float>.One - z) * n + z * Vector256.LoadUnsafe(ref hp, u);
            r.StoreUnsafe(ref gr, u);
            z.StoreUnsafe(ref gz, u);
            n.StoreUnsafe(ref gn, u);
            nh.StoreUnsafe(ref nhOut, u);
            hv.StoreUnsafe(ref hn, u);
            hv.StoreUnsafe(ref y, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRowTail(int h, ref float g, ref float bx, ref float rec, ref float b, ref float hp, ref float nhOut, ref float hn, ref float y, int j)
    {
        ref float gr = ref g;
        ref float gz = ref Unsafe.Add(ref g, h);
        ref float gn = ref Unsafe.Add(ref g, 2 * h);
        ref float rr = ref rec;
        ref float rz = ref Unsafe.Add(ref rec, h);
        ref float rn = ref Unsafe.Add(ref rec, 2 * h);
        ref float br = ref b;
        ref float bz = ref Unsafe.Add(ref b, h);
        ref float bn = ref Unsafe.Add(ref b, 2 * h);
        for (; j < h; j++)
        {
            float r = GateMath.Sigmoid((Unsafe.Add(ref gr, j) + Unsafe.Add(ref bx, j)) + (Unsafe.Add(ref rr, j) + Unsafe.Add(ref br, j)));
            float z = GateMath.Sigmoid((Unsafe.Add(ref gz, j) + Unsafe.Add(ref bx, j + h)) + (Unsafe.Add(ref rz, j) + Unsafe.Add(ref bz, j)));
            float nh = Unsafe.Add(ref rn, j) + Unsafe.Add(ref bn, j);
            float n = GateMath.Tanh((Unsafe.Add(ref gn, j) + Unsafe.Add(ref bx, j + 2 * h)) + r * nh);
            float hv = (1f - z) * n + z * Unsafe.Add(ref hp, j);
            Unsafe.Add(ref gr, j) = r;
            Unsafe.Add(ref gz, j) = z;
            Unsafe.Add(ref gn, j) = n;
            Unsafe.Add(ref nhOut, j) = nh;
            Unsafe.Add(ref hn, j) = hv;
            Unsafe.Add(ref y, j) = hv;
        }
    }

    /// <summary>
    /// Backward: with dh = <paramref name="dh"/> + the output's gradient (the gradient with respect
    /// to h'), reads the activated gates saved by forward and writes the input-side pre-activation
    /// gradients (∂xᵣ, ∂x_z, ∂x_n) to <paramref name="gateGrads"/> (it may alias the gates), writes the recurrent-side ones (∂hᵣ, ∂h_z, ∂h_n) to
    /// <paramref name="recurrentGrad"/>, and sets dh of every active row to its direct share dh∘z
    /// (the caller's GEMM then adds the recurrent-side gradients times W_hh).
    /// </summary>
    /// <remarks>
    /// ∂n = dh∘(1 − z), ∂z = dh∘(h − n), ∂x_n = ∂n∘(1 − n²), ∂h_n = ∂x_n∘r, ∂r = ∂x_n∘h_n,
    /// ∂xᵣ = ∂hᵣ = ∂r∘r(1 − r), ∂x_z = ∂h_z = ∂z∘z(1 − z).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int rows, int hidden, int step, ReadOnlySpan<int> lengths,
        ReadOnlySpan<float> gates, int gatesStride, Span<float> gateGrads, int gateGradsStride,
        ReadOnlySpan<float> hiddenN, int hiddenNStride, ReadOnlySpan<float> hPrev, int hPrevStride,
        ReadOnlySpan<float> dOutput, int dOutputStride, Span<float> dh, Span<float> recurrentGrad, int recurrentGradStride, KernelPath path)
    {
        GateMath.CheckRows(gates.Length, rows, gatesStride, 3 * hidden, nameof(gates));
        GateMath.CheckRows(gateGrads.Length, rows, gateGradsStride, 3 * hidden, nameof(gateGrads));
        GateMath.CheckRows(hiddenN.Length, rows, hiddenNStride, hidden, nameof(hiddenN));
        GateMath.CheckRows(hPrev.Length, rows, hPrevStride, hidden, nameof(hPrev));
        GateMath.CheckRows(dOutput.Length, rows, dOutputStride, hidden, nameof(dOutput));
        GateMath.CheckRows(recurrentGrad.Length, rows, recurrentGradStride, 3 * hidden, nameof(recurrentGrad));
        Guard.AtLeast(dh.Length, (long)rows * hidden, nameof(dh));
        if (!lengths.IsEmpty) Guard.AtLeast(lengths.Length, rows, nameof(lengths));
        for (int r = 0; r < rows; r++)
        {
            var dg = gateGrads.Slice(r * gateGradsStride, 3 * hidden);
            var rg = recurrentGrad.Slice(r * recurrentGradStride, 3 * hidden);
            if (!lengths.IsEmpty && lengths[r] <= step)
            {
                dg.Clear();
                rg.Clear();
                continue;
            }
            BackwardRow(hidden, ref MemoryMarshal.GetReference(gates.Slice(r * gatesStride, 3 * hidden)), ref MemoryMarshal.GetReference(dg),
                ref MemoryMarshal.GetReference(hiddenN.Slice(r * hiddenNStride, hidden)),
                ref MemoryMarshal.GetReference(hPrev.Slice(r * hPrevStride, hidden)),
                ref MemoryMarshal.GetReference(dOutput.Slice(r * dOutputStride, hidden)),
                ref MemoryMarshal.GetReference(dh.Slice(r * hidden, hidden)),
                ref MemoryMarshal.GetReference(rg), path);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRow(int h, ref float g, ref float dgRef, ref float nhIn, ref float hp, ref float dy, ref float dh, ref float rg, KernelPath path)
    {
        int j = 0;
        if (path == KernelPath.Vector512) j = BackwardRow512(h, ref g, ref dgRef, ref nhIn, ref hp, ref dy, ref dh, ref rg, j);
        if (path >= KernelPath.Vector256) j = BackwardRow256(h, ref g, ref dgRef, ref nhIn, ref hp, ref dy, ref dh, ref rg, j);
        BackwardRowTail(h, ref g, ref dgRef, ref nhIn, ref hp, ref dy, ref dh, ref rg, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardRow512(int h, ref float g, ref float dgRef, ref float nhIn, ref float hp, ref float dy, ref float dh, ref float rg, int j)
    {
        ref float gr = ref g;
        ref float gz = ref Unsafe.Add(ref g, h);
        ref float gn = ref Unsafe.Add(ref g, 2 * h);
        ref float xr = ref dgRef;
        ref float xz = ref Unsafe.Add(ref dgRef, h);
        ref float xn = ref Unsafe.Add(ref dgRef, 2 * h);
        ref float hr = ref rg;
        ref float hz = ref Unsafe.Add(ref rg, h);
        ref float hnn = ref Unsafe.Add(ref rg, 2 * h);
        var one = Vector512<float>.One;
        for (; j <= h - 16; j += 16)
        {
            nuint u = (nuint)j;
            var r = Vector512.LoadUnsafe(ref gr, u);
            var z = Vector512.LoadUnsafe(ref gz, u);
            var n = Vector512.LoadUnsafe(ref gn, u);
            var d = Vector512.LoadUnsafe(ref dh, u) + Vector512.LoadUnsafe(ref dy, u);
            var dxn = d * (one - z) * (one - n * n);
            var dr = dxn * Vector512.LoadUnsafe(ref nhIn, u) * r * (one - r);
            var dz = d * (Vector512.LoadUnsafe(ref hp, u) - n) * z * (one - z);
            dr.StoreUnsafe(ref xr, u);
            dz.StoreUnsafe(ref xz, u);
            dxn.StoreUnsafe(ref xn, u);
            dr.StoreUnsafe(ref hr, u);
            dz.StoreUnsafe(ref hz, u);
            (dxn * r).StoreUnsafe(ref hnn, u);
            (d * z).StoreUnsafe(ref dh, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BackwardRow256(int h, ref float g, ref float dgRef, ref float nhIn, ref float hp, ref float dy, ref float dh, ref float rg, int j)
    {
        ref float gr = ref g;
        ref float gz = ref Unsafe.Add(ref g, h);
        ref float gn = ref Unsafe.Add(ref g, 2 * h);
        ref float xr = ref dgRef;
        ref float xz = ref Unsafe.Add(ref dgRef, h);
        ref float xn = ref Unsafe.Add(ref dgRef, 2 * h);
        ref float hr = ref rg;
        ref float hz = ref Unsafe.Add(ref rg, h);
        ref float hnn = ref Unsafe.Add(ref rg, 2 * h);
        var one = Vector256<float>.One;
        for (; j <= h - 8; j += 8)
        {
            nuint u = (nuint)j;
            var r = Vector256.LoadUnsafe(ref gr, u);
            var z = Vector256.LoadUnsafe(ref gz, u);
            var n = Vector256.LoadUnsafe(ref gn, u);
            var d = Vector256.LoadUnsafe(ref dh, u) + Vector256.LoadUnsafe(ref dy, u);
            var dxn = d * (one - z) * (one - n * n);
            var dr = dxn * Vector256.LoadUnsafe(ref nhIn, u) * r * (one - r);
            var dz = d * (Vector256.LoadUnsafe(ref hp, u) - n) * z * (one - z);
            dr.StoreUnsafe(ref xr, u);
            dz.StoreUnsafe(ref xz, u);
            dxn.StoreUnsafe(ref xn, u);
            dr.StoreUnsafe(ref hr, u);
            dz.StoreUnsafe(ref hz, u);
            (dxn * r).StoreUnsafe(ref hnn, u);
            (d * z).StoreUnsafe(ref dh, u);
        }
        return j;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRowTail(int h, ref float g, ref float dgRef, ref float nhIn, ref float hp, ref float dy, ref float dh, ref float rg, int j)
    {
        ref float gr = ref g;
        ref float gz = ref Unsafe.Add(ref g, h);
        ref float gn = ref Unsafe.Add(ref g, 2 * h);
        ref float xr = ref dgRef;
        ref float xz = ref Unsafe.Add(ref dgRef, h);
        ref float xn = ref Unsafe.Add(ref dgRef, 2 * h);
        ref float hr = ref rg;
        ref float hz = ref Unsafe.Add(ref rg, h);
        ref float hnn = ref Unsafe.Add(ref rg, 2 * h);
        for (; j < h; j++)
        {
            float r = Unsafe.Add(ref gr, j), z = Unsafe.Add(ref gz, j), n = Unsafe.Add(ref gn, j);
            float d = Unsafe.Add(ref dh, j) + Unsafe.Add(ref dy, j);
            float dxn = d * (1f - z) * (1f - n * n);
            float dr = dxn * Unsafe.Add(ref nhIn, j) * r * (1f - r);
            float dz = d * (Unsafe.Add(ref hp, j) - n) * z * (1f - z);
            Unsafe.Add(ref xr, j) = dr;
            Unsafe.Add(ref xz, j) = dz;
            Unsafe.Add(ref xn, j) = dxn;
            Unsafe.Add(ref hr, j) = dr;
            Unsafe.Add(ref hz, j) = dz;
            Unsafe.Add(ref hnn, j) = dxn * r;
            Unsafe.Add(ref dh, j) = d * z;
        }
    }
}
