using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded order the micro-kernels read,
/// so the kernels stream unit-stride memory whatever the transposes and strides of the inputs.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs <paramref name="rows"/> rows × <paramref name="kc"/> of op(A), times alpha, as
    /// <c>dst[p·MR + r]</c>; rows ≥ <paramref name="rows"/> up to MR are zero.
    /// </summary>
    /// <remarks>Alpha is applied here, on m·k values, rather than on m·n outputs.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TKernel>(float* a, nint rs, nint cs, int rows, int kc, float alpha, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.Rows;
        if (rows < mr)
        {
            // Zero the padding once; the copy below fills the valid rows.
            new Span<float>(dst, mr * kc).Clear();
        }

        if (cs == 1)
        {
            int done = 0;
            if (Avx.IsSupported && rows >= 8)
            {
                done = kc & ~7;
                for (int p = 0; p < done; p += 8)
                    for (int r = 0; ; r += 8)
                    {
                        // The last group overlaps the previous one (12 rows = 0..7 and 4..11),
                        // rewriting identical values instead of falling back to scalar code.
                        int r0 = Math.Min(r, rows - 8);
                        Transpose8x8(a + r0 * rs + p, rs, dst + p * mr + r0, mr, alpha);
                        if (r0 + 8 >= rows) break;
                    }
            }
            else if (Avx.IsSupported && (mr == 4 || mr == 6))
            {
                // Panels of fewer than 8 rows (the AVX2 kernel's 6): the same register transpose with
                // the missing rows zero, storing each column's first MR values. Scalar strided
                // writes here cost 18 % of a transformer training step.
                done = kc & ~7;
                for (int p = 0; p < done; p += 8)
                    TransposeShortPanel(a + p, rs, rows, dst + p * mr, mr, alpha);
            }
            // Rows of op(A) are contiguous: read each row forward, write with stride MR.
            if (done < kc)
                ScalarRowsA(a + done, rs, rows, kc - done, alpha, dst + done * mr, mr);
        }
        else
        {
            // Columns of op(A) are contiguous (A transposed): each k step is one short copy,
            // done as two overlapping 8-wide vectors when there are at least 8 rows.
            if (Vector256.IsHardwareAccelerated && rows >= 8 && rows <= 16)
            {
                var va = Vector256.Create(alpha);
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + p * cs;
                    float* d = dst + p * mr;
                    Vector256.Store(Vector256.Load(src) * va, d);
                    Vector256.Store(Vector256.Load(src + rows - 8) * va, d + rows - 8);
                }
            }
            else if (Vector128.IsHardwareAccelerated && rows >= 4 && rows < 8)
            {
                // The AVX2 kernel's 6-row panels (weight gradients Gᵀ·X): two overlapping 4-wide copies.
                var va = Vector128.Create(alpha);
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + p * cs;
                    float* d = dst + p * mr;
                    Vector128.Store(Vector128.Load(src) * va, d);
                    Vector128.Store(Vector128.Load(src + rows - 4) * va, d + rows - 4);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + p * cs;
                    float* d = dst + p * mr;
                    for (int r = 0; r < rows; r++) d[r] = alpha * src[r];
                }
            }
        }
    }

    /// <summary>
    /// Adds each of the <paramref name="rows"/> rows of a packed A panel (<c>panel[p·MR + r]</c>, p &lt; kc)
    /// to <paramref name="sums"/>[r], in order of p, starting from 0 when <paramref name="fromZero"/>.
    /// </summary>
    /// <remarks>
    /// Per row this is the sequence <c>s = s + a[r, p]</c> for p = 0, 1, …, exactly what adding the rows of
    /// Aᵀ one by one into a vector does, so a bias gradient Σ_rows G taken here while G is packed for the
    /// weight gradient Gᵀ·X has the bits of a separate row-by-row pass over G.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SumPackedRows(float* panel, int mr, int rows, int kc, float* sums, bool fromZero)
    {
        if (Vector256.IsHardwareAccelerated && rows >= 8 && rows <= 16)
        {
            // Rows 0..7 and rows−8..rows−1 (overlapping): the overlap gets identical sums in both.
            var lo = fromZero ? Vector256<float>.Zero : Vector256.Load(sums);
            var hi = fromZero ? Vector256<float>.Zero : Vector256.Load(sums + rows - 8);
            for (int p = 0; p < kc; p++)
            {
                float* row = panel + p * mr;
                lo += Vector256.Load(row);
                hi += Vector256.Load(row + rows - 8);
            }
            Vector256.Store(lo, sums);
            Vector256.Store(hi, sums + rows - 8);
            return;
        }
        if (Vector128.IsHardwareAccelerated && rows >= 4 && rows < 8)
        {
            // The AVX2 kernel's 6-row panels (a dense layer's bias gradient): rows 0..3 and rows−4..rows−1 the
            // same way. Six scalar chains of kc dependent adds cost the weight-gradient piece that takes the sums
            // ≈ 8 µs per MLP step, on the critical path of the 2-thread split.
            var lo = fromZero ? Vector128<float>.Zero : Vector128.Load(sums);
            var hi = fromZero ? Vector128<float>.Zero : Vector128.Load(sums + rows - 4);
            for (int p = 0; p < kc; p++)
            {
                float* row = panel + p * mr;
                lo += Vector128.Load(row);
                hi += Vector128.Load(row + rows - 4);
            }
            Vector128.Store(lo, sums);
            Vector128.Store(hi, sums + rows - 4);
            return;
        }
        for (int r = 0; r < rows; r++)
        {
            float acc = fromZero ? 0f : sums[r];
            for (int p = 0; p < kc; p++) acc += panel[p * mr + r];
            sums[r] = acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRowsA(float* a, nint rs, int rows, int kc, float alpha, float* dst, int mr)
    {
        for (int r = 0; r < rows; r++)
        {
            float* src = a + r * rs;
            float* d = dst + r;
            if (alpha == 1f)
                for (int p = 0; p < kc; p++) d[p * mr] = src[p];
            else
                for (int p = 0; p < kc; p++) d[p * mr] = alpha * src[p];
        }
    }

    /// <summary>
    /// Packs <paramref name="kc"/> × <paramref name="cols"/> of op(B) as <c>dst[p·NR + j]</c>;
    /// columns ≥ <paramref name="cols"/> up to NR are zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TKernel>(float* b, nint rs, nint cs, int cols, int kc, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        int nr = TKernel.Cols;
        if (cols < nr) new Span<float>(dst, nr * kc).Clear();

        if (cs == 1)
        {
            if (cols == nr && Vector256.IsHardwareAccelerated && nr % 8 == 0)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = b + p * rs;
                    float* d = dst + p * nr;
                    for (int j = 0; j < nr; j += 8)
                        Vector256.Store(Vector256.Load(src + j), d + j);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                    new ReadOnlySpan<float>(b + p * rs, cols).CopyTo(new Span<float>(dst + p * nr, cols));
            }
        }
        else
        {
            // op(B) = Bᵀ with B stored [n, k] (dense weights): transpose 8×8 blocks in registers.
            int done = 0;
            if (Avx.IsSupported && cols >= 8)
            {
                done = kc & ~7;
                for (int p = 0; p < done; p += 8)
                    for (int j = 0; ; j += 8)
                    {
                        int j0 = Math.Min(j, cols - 8);
                        Transpose8x8(b + j0 * cs + p, cs, dst + p * nr + j0, nr, 1f);
                        if (j0 + 8 >= cols) break;
                    }
            }
            for (int j = 0; j < cols; j++)
            {
                float* src = b + j * cs;
                float* d = dst + j;
                for (int p = done; p < kc; p++) d[p * nr] = src[p];
            }
        }
    }

    /// <summary>
    /// Writes row i of the output (at <c>d + i·ds</c>) as column i of the 8×8 block at
    /// <paramref name="s"/> (rows <c>ss</c> apart), times <paramref name="alpha"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint ss, float* d, nint ds, float alpha)
    {
        var r0 = Avx.LoadVector256(s);
        var r1 = Avx.LoadVector256(s + ss);
        var r2 = Avx.LoadVector256(s + 2 * ss);
        var r3 = Avx.LoadVector256(s + 3 * ss);
        var r4 = Avx.LoadVector256(s + 4 * ss);
        var r5 = Avx.LoadVector256(s + 5 * ss);
        var r6 = Avx.LoadVector256(s + 6 * ss);
        var r7 = Avx.LoadVector256(s + 7 * ss);

        // Interleave pairs of rows, then pairs of pairs: each 128-bit lane then holds 4 rows of
        // one column, lane 0 for columns 0..3 and lane 1 for columns 4..7.
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var u0 = Avx.Shuffle(t4, t6, 0x44);
        var u1 = Avx.Shuffle(t4, t6, 0xEE);
        var u2 = Avx.Shuffle(t5, t7, 0x44);
        var u3 = Avx.Shuffle(t5, t7, 0xEE);

        var va = Vector256.Create(alpha);
        bool scale = alpha != 1f;
        Put(d, Avx.Permute2x128(s0, u0, 0x20), va, scale);
        Put(d + ds, Avx.Permute2x128(s1, u1, 0x20), va, scale);
        Put(d + 2 * ds, Avx.Permute2x128(s2, u2, 0x20), va, scale);
        Put(d + 3 * ds, Avx.Permute2x128(s3, u3, 0x20), va, scale);
        Put(d + 4 * ds, Avx.Permute2x128(s0, u0, 0x31), va, scale);
        Put(d + 5 * ds, Avx.Permute2x128(s1, u1, 0x31), va, scale);
        Put(d + 6 * ds, Avx.Permute2x128(s2, u2, 0x31), va, scale);
        Put(d + 7 * ds, Avx.Permute2x128(s3, u3, 0x31), va, scale);
    }

    // Rows 0 … rows − 1 (< 8) of 8 columns, transposed: column j's first MR (4 or 6) values go to d + j·MR.
    private static void TransposeShortPanel(float* s, nint ss, int rows, float* d, int mr, float alpha)
    {
        var va = Vector256.Create(alpha);
        var r0 = Row(s, ss, 0, rows, va);
        var r1 = Row(s, ss, 1, rows, va);
        var r2 = Row(s, ss, 2, rows, va);
        var r3 = Row(s, ss, 3, rows, va);
        var r4 = Row(s, ss, 4, rows, va);
        var r5 = Row(s, ss, 5, rows, va);
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        // Lane k of c_j holds rows 0..3 of column j (k = 0) or j + 4 (k = 1); e_j rows 4..5.
        var c0 = Avx.Shuffle(t0, t2, 0x44);
        var c1 = Avx.Shuffle(t0, t2, 0xEE);
        var c2 = Avx.Shuffle(t1, t3, 0x44);
        var c3 = Avx.Shuffle(t1, t3, 0xEE);
        var e0 = Avx.Shuffle(t4, t4, 0x44);
        var e1 = Avx.Shuffle(t4, t4, 0xEE);
        var e2 = Avx.Shuffle(t5, t5, 0x44);
        var e3 = Avx.Shuffle(t5, t5, 0xEE);
        Column(d, mr, 0, c0.GetLower(), e0.GetLower());
        Column(d, mr, 1, c1.GetLower(), e1.GetLower());
        Column(d, mr, 2, c2.GetLower(), e2.GetLower());
        Column(d, mr, 3, c3.GetLower(), e3.GetLower());
        Column(d, mr, 4, c0.GetUpper(), e0.GetUpper());
        Column(d, mr, 5, c1.GetUpper(), e1.GetUpper());
        Column(d, mr, 6, c2.GetUpper(), e2.GetUpper());
        Column(d, mr, 7, c3.GetUpper(), e3.GetUpper());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(float* s, nint ss, int r, int rows, Vector256<float> alpha) =>
        r < rows ? Avx.LoadVector256(s + r * ss) * alpha : Vector256<float>.Zero;

    // Rows 0..3 of column j from `low`, rows 4..5 (MR = 6 only) from the first two lanes of `high`.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(float* d, int mr, int j, Vector128<float> low, Vector128<float> high)
    {
        float* c = d + j * mr;
        Vector128.Store(low, c);
        if (mr == 6) *(double*)(c + 4) = high.AsDouble().ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* d, Vector256<float> v, Vector256<float> alpha, bool scale) =>
        Vector256.Store(scale ? v * alpha : v, d);
}
